import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project checkout (where stack/*.pom and migrations/ live). */
export const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface StackPaths {
  /** Downloaded distributions, shared by every checkout on this machine. */
  cache: string;
  /** Pid files, logs and broker data of this checkout's stack. */
  run: string;
  logs: string;
  kafkaData: string;
}

export function stackPaths(env: NodeJS.ProcessEnv = process.env): StackPaths {
  const cache = env['TRIBUTARY_HOME']
    ? resolve(env['TRIBUTARY_HOME'])
    : join(homedir(), '.cache', 'tributary');
  const run = env['TRIBUTARY_STACK_DIR']
    ? resolve(env['TRIBUTARY_STACK_DIR'])
    : join(projectRoot, '.tributary', 'stack');
  return { cache, run, logs: join(run, 'logs'), kafkaData: join(run, 'kafka-data') };
}

function portSetting(name: string, fallback: number): number {
  const value = Number(process.env[name]);
  return Number.isInteger(value) && value > 0 && value < 65536 ? value : fallback;
}

/**
 * Loopback ports of the local stack; TRIBUTARY_KAFKA_PORT (the controller takes the next port)
 * and TRIBUTARY_REGISTRY_PORT move them, so two checkouts can run their own stacks side by side.
 */
const kafkaPort = portSetting('TRIBUTARY_KAFKA_PORT', 19092);
export const localPorts = {
  kafka: kafkaPort,
  kafkaController: kafkaPort + 1,
  registry: portSetting('TRIBUTARY_REGISTRY_PORT', 18081),
} as const;
export const localEndpoints = {
  kafka: `127.0.0.1:${localPorts.kafka}`,
  registry: `http://127.0.0.1:${localPorts.registry}/apis/ccompat/v7`,
  database: 'postgres://postgres@127.0.0.1:5432/tributary',
} as const;
