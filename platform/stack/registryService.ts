import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TributaryError } from '../errors.js';
import type { ServiceStart } from './kafkaService.js';
import { localPorts, projectRoot, type StackPaths } from './paths.js';
import { readPid, runSync, spawnDetached } from './processes.js';

export const registryPom = join(projectRoot, 'stack', 'registry-pom.xml');

export function pinnedRegistryVersion(): string {
  const match = /<apicurio\.version>([^<]+)<\/apicurio\.version>/.exec(readFileSync(registryPom, 'utf8'));
  if (!match?.[1]) throw new TributaryError('STACK_START_FAILED', `no <apicurio.version> in ${registryPom}`);
  return match[1];
}

function registryHome(paths: StackPaths): string {
  return join(paths.cache, `apicurio-registry-${pinnedRegistryVersion()}`);
}

function runnerJar(paths: StackPaths): string {
  return join(registryHome(paths), `apicurio-registry-app-${pinnedRegistryVersion()}-runner.jar`);
}

export function registryCached(paths: StackPaths): boolean {
  return existsSync(join(registryHome(paths), '.complete'));
}

export function ensureRegistryDistribution(
  paths: StackPaths,
  report: (line: string) => void,
): { downloaded: boolean } {
  const home = registryHome(paths);
  const marker = join(home, '.complete');
  if (existsSync(marker)) return { downloaded: false };
  report(`fetching Apicurio Registry ${pinnedRegistryVersion()} with Maven (${registryPom})`);
  rmSync(home, { recursive: true, force: true });
  const download = join(home, 'download');
  mkdirSync(download, { recursive: true });
  const fetched = runSync('mvn', [
    '-q',
    '-B',
    '-f',
    registryPom,
    'dependency:copy',
    `-DoutputDirectory=${download}`,
  ]);
  const tarball = readdirSync(download).find((name) => name.endsWith('.tar.gz'));
  if (fetched.status !== 0 || !tarball) {
    throw new TributaryError(
      'STACK_START_FAILED',
      `Maven could not fetch Apicurio Registry:\n${fetched.output.slice(-2000)}`,
    );
  }
  const extracted = runSync('tar', ['-xzf', join(download, tarball), '-C', home]);
  if (extracted.status !== 0 || !existsSync(runnerJar(paths))) {
    throw new TributaryError('STACK_START_FAILED', `could not unpack ${tarball}: ${extracted.output}`);
  }
  rmSync(download, { recursive: true, force: true });
  writeFileSync(marker, new Date().toISOString());
  return { downloaded: true };
}

export function registryPidFile(paths: StackPaths): string {
  return join(paths.run, 'registry.pid');
}

export function startRegistry(paths: StackPaths, heap = '384m'): ServiceStart {
  const pidFile = registryPidFile(paths);
  const running = readPid(pidFile, 'apicurio-registry');
  if (running) return { pid: running, alreadyRunning: true };
  mkdirSync(paths.run, { recursive: true });
  const pid = spawnDetached({
    command: 'java',
    args: [
      '-Xms64m',
      `-Xmx${heap}`,
      '-XX:+UseSerialGC',
      `-Dquarkus.http.port=${localPorts.registry}`,
      '-Dquarkus.http.host=127.0.0.1',
      // In-memory storage (H2): the registry is rebuilt from the code by `tributary schemas register`.
      '-Dapicurio.storage.kind=sql',
      '-Dapicurio.storage.sql.kind=h2',
      '-Dapicurio.ccompat.legacy-id-mode.enabled=false',
      '-jar',
      runnerJar(paths),
    ],
    cwd: registryHome(paths),
    logFile: join(paths.logs, 'registry.log'),
    pidFile,
  });
  return { pid, alreadyRunning: false };
}

export async function registryReady(url: string, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  // At least one attempt, however short the timeout (status probes pass 1 ms).
  for (let attempt = 0; attempt === 0 || Date.now() < deadline; attempt++) {
    try {
      const response = await fetch(`${url.replace(/\/$/, '')}/subjects`, {
        signal: AbortSignal.timeout(2_000),
      });
      if (response.ok) return true;
    } catch {
      // not up yet
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return false;
}
