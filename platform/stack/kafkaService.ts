import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { TributaryError } from '../errors.js';
import { localPorts, projectRoot, type StackPaths } from './paths.js';
import { readPid, runSync, spawnDetached } from './processes.js';

export const kafkaPom = join(projectRoot, 'stack', 'kafka-pom.xml');

/** The broker version is pinned in one place: the POM's kafka.version property. */
export function pinnedKafkaVersion(): string {
  const match = /<kafka\.version>([^<]+)<\/kafka\.version>/.exec(readFileSync(kafkaPom, 'utf8'));
  if (!match?.[1]) throw new TributaryError('STACK_START_FAILED', `no <kafka.version> in ${kafkaPom}`);
  return match[1];
}

export function kafkaLibDir(paths: StackPaths): string {
  return join(paths.cache, `kafka-${pinnedKafkaVersion()}`, 'libs');
}

export function kafkaCached(paths: StackPaths): boolean {
  return existsSync(join(kafkaLibDir(paths), '.complete'));
}

/** Fetches the broker's jars with Maven once; later calls find the completed marker and download nothing. */
export function ensureKafkaDistribution(
  paths: StackPaths,
  report: (line: string) => void,
): { downloaded: boolean } {
  const libs = kafkaLibDir(paths);
  const marker = join(libs, '.complete');
  if (existsSync(marker)) return { downloaded: false };
  report(`fetching Apache Kafka ${pinnedKafkaVersion()} jars with Maven (${kafkaPom})`);
  rmSync(libs, { recursive: true, force: true });
  mkdirSync(libs, { recursive: true });
  const { status, output } = runSync('mvn', [
    '-q',
    '-B',
    '-f',
    kafkaPom,
    'dependency:copy-dependencies',
    `-DoutputDirectory=${libs}`,
    '-DincludeScope=runtime',
  ]);
  if (status !== 0 || readdirSync(libs).length === 0) {
    throw new TributaryError(
      'STACK_START_FAILED',
      `Maven could not fetch the Kafka jars:\n${output.slice(-2000)}`,
    );
  }
  writeFileSync(marker, new Date().toISOString());
  return { downloaded: true };
}

function serverProperties(paths: StackPaths): string {
  return [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@127.0.0.1:${localPorts.kafkaController}`,
    `listeners=PLAINTEXT://127.0.0.1:${localPorts.kafka},CONTROLLER://127.0.0.1:${localPorts.kafkaController}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${localPorts.kafka}`,
    'controller.listener.names=CONTROLLER',
    'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'inter.broker.listener.name=PLAINTEXT',
    `log.dirs=${paths.kafkaData}`,
    'num.partitions=3',
    // A single broker: internal topics cannot be replicated.
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=10',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'transaction.state.log.num.partitions=10',
    'share.coordinator.state.topic.replication.factor=1',
    'share.coordinator.state.topic.min.isr=1',
    'group.initial.rebalance.delay.ms=0',
    // Topics are declared by `tributary topics apply`, never created by accident.
    'auto.create.topics.enable=false',
    'num.network.threads=2',
    'num.io.threads=4',
    'log.cleaner.threads=1',
    'log.cleaner.backoff.ms=5000',
    'message.max.bytes=4194304',
    '',
  ].join('\n');
}

export interface ServiceStart {
  pid: number;
  alreadyRunning: boolean;
}

export function kafkaPidFile(paths: StackPaths): string {
  return join(paths.run, 'kafka.pid');
}

export function startKafka(paths: StackPaths, heap = '768m'): ServiceStart {
  const pidFile = kafkaPidFile(paths);
  const running = readPid(pidFile, 'kafka.Kafka');
  if (running) return { pid: running, alreadyRunning: true };
  const libs = kafkaLibDir(paths);
  const classpath = `${libs}/*`;
  mkdirSync(paths.run, { recursive: true });
  const propertiesFile = join(paths.run, 'server.properties');
  writeFileSync(propertiesFile, serverProperties(paths));
  if (!existsSync(join(paths.kafkaData, 'meta.properties'))) {
    mkdirSync(paths.kafkaData, { recursive: true });
    const clusterId =
      runSync('java', ['-cp', classpath, 'kafka.tools.StorageTool', 'random-uuid'])
        .output.trim()
        .split('\n')
        .at(-1) ?? '';
    const format = runSync('java', [
      '-Xmx256m',
      '-cp',
      classpath,
      'kafka.tools.StorageTool',
      'format',
      '-t',
      clusterId,
      '-c',
      propertiesFile,
      // Without eligible leader replicas (KIP-966), the single broker restarted after a SIGKILL
      // leads its partitions again through a clean election. With them (the 4.x default), an
      // unclean shutdown empties every partition's ELR and each restart is an UNCLEAN election,
      // which Kafka documents as incompatible with exactly-once (KAFKA-20716) — a state no
      // replicated production cluster is in after losing one broker.
      '--feature',
      'eligible.leader.replicas.version=0',
      '--ignore-formatted',
    ]);
    if (format.status !== 0) {
      throw new TributaryError(
        'STACK_START_FAILED',
        `kafka storage format failed:\n${format.output.slice(-2000)}`,
      );
    }
  }
  const pid = spawnDetached({
    command: 'java',
    args: [
      `-Xms256m`,
      `-Xmx${heap}`,
      '-XX:+UseG1GC',
      '-XX:MaxGCPauseMillis=20',
      `-Dlog4j2.configurationFile=${join(projectRoot, 'stack', 'kafka-log4j2.yaml')}`,
      '-cp',
      classpath,
      'kafka.Kafka',
      propertiesFile,
    ],
    cwd: paths.run,
    logFile: join(paths.logs, 'kafka.log'),
    pidFile,
  });
  return { pid, alreadyRunning: false };
}

/** Ready means a metadata request succeeds, not merely that the port is open. */
export async function kafkaReady(brokers: string[], timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  const kafka = new Kafka({
    brokers,
    clientId: 'tributary-stack-probe',
    logLevel: logLevel.NOTHING,
    connectionTimeout: 2_000,
    retry: { retries: 0 },
  });
  // At least one attempt, however short the timeout (status probes pass 1 ms).
  for (let attempt = 0; attempt === 0 || Date.now() < deadline; attempt++) {
    const admin = kafka.admin();
    try {
      await admin.connect();
      const cluster = await admin.describeCluster();
      await admin.fetchTopicMetadata({ topics: [] });
      if (cluster.brokers.length > 0 && cluster.controller !== null) return true;
    } catch {
      // not up yet
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return false;
}
