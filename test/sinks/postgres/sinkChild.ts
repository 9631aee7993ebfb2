import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { join } from 'node:path';
import { projectRoot } from '../../../platform/stack/paths.js';
import { endpoints } from '../../helpers/stack.js';

/** A sink running as its own process (sinks/postgres/main.ts), so faults hit it like production. */
export interface SinkChild {
  process: ChildProcess;
  exited: Promise<number | null>;
  stderr: string[];
  /** Current resident set size of the sink process in bytes (/proc/<pid>/status VmRSS). */
  rss(): number | undefined;
  /** Value of an unlabelled (or summed) metric from the sink's /metrics endpoint. */
  metric(name: string): Promise<number>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export function procStatusBytes(pid: number, field: 'VmRSS' | 'VmHWM'): number | undefined {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(
      readFileSync(`/proc/${pid}/status`, 'utf8'),
    );
    return match?.[1] === undefined ? undefined : Number(match[1]) * 1024;
  } catch {
    return undefined; // the process is gone
  }
}

export async function spawnSinkChild(
  databaseUrl: string,
  env: Record<string, string>,
  entities = 'employee',
): Promise<SinkChild> {
  const e = endpoints();
  const metricsPort = await freePort();
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(projectRoot, 'sinks/postgres/main.ts'), '--entities', entities],
    {
      cwd: projectRoot,
      env: {
        ...process.env,
        KAFKA_BROKERS: e.kafkaBrokers.join(','),
        SCHEMA_REGISTRY_URL: e.schemaRegistryUrl,
        DATABASE_URL: databaseUrl,
        METRICS_PORT: String(metricsPort),
        LOG_LEVEL: 'warn',
        ...env,
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  const stderr: string[] = [];
  child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    process: child,
    exited,
    stderr,
    rss: () => (child.pid === undefined ? undefined : procStatusBytes(child.pid, 'VmRSS')),
    async metric(name) {
      const response = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
      const text = await response.text();
      let total = 0;
      let seen = false;
      for (const line of text.split('\n')) {
        if (line.startsWith(`${name} `) || line.startsWith(`${name}{`)) {
          total += Number(line.slice(line.lastIndexOf(' ') + 1));
          seen = true;
        }
      }
      if (!seen) throw new Error(`metric ${name} not exposed yet`);
      return total;
    },
  };
}
