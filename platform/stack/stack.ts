import { rmSync } from 'node:fs';
import { TributaryError } from '../errors.js';
import {
  ensureKafkaDistribution,
  kafkaCached,
  kafkaPidFile,
  kafkaReady,
  pinnedKafkaVersion,
  startKafka,
} from './kafkaService.js';
import { localEndpoints, type StackPaths, stackPaths } from './paths.js';
import { ensurePostgres, postgresReachable } from './postgresService.js';
import { requireJava, requireMaven } from './prerequisites.js';
import { readPid, residentBytes, stopPid } from './processes.js';
import {
  ensureRegistryDistribution,
  pinnedRegistryVersion,
  registryCached,
  registryPidFile,
  registryReady,
  startRegistry,
} from './registryService.js';

export interface StackEndpoints {
  kafkaBrokers: string[];
  schemaRegistryUrl: string;
  databaseUrl: string;
  /** Which endpoints came from the environment (remote) rather than the local stack. */
  external: { kafka: boolean; registry: boolean; database: boolean };
}

export function resolveEndpoints(env: NodeJS.ProcessEnv = process.env): StackEndpoints {
  const kafka = env['KAFKA_BROKERS'];
  const registry = env['SCHEMA_REGISTRY_URL'];
  const database = env['DATABASE_URL'];
  return {
    kafkaBrokers: (kafka ?? localEndpoints.kafka).split(',').map((broker) => broker.trim()),
    schemaRegistryUrl: registry ?? localEndpoints.registry,
    databaseUrl: database ?? localEndpoints.database,
    external: { kafka: Boolean(kafka), registry: Boolean(registry), database: Boolean(database) },
  };
}

export interface StackUpReport {
  endpoints: StackEndpoints;
  downloaded: string[];
  started: string[];
  alreadyRunning: string[];
  elapsedMs: number;
}

export async function stackUp(
  options: { env?: NodeJS.ProcessEnv; report?: (line: string) => void; paths?: StackPaths } = {},
): Promise<StackUpReport> {
  const began = Date.now();
  const env = options.env ?? process.env;
  const report = options.report ?? (() => undefined);
  const paths = options.paths ?? stackPaths(env);
  const endpoints = resolveEndpoints(env);
  const result: StackUpReport = { endpoints, downloaded: [], started: [], alreadyRunning: [], elapsedMs: 0 };

  if (!endpoints.external.kafka || !endpoints.external.registry) {
    requireJava();
    const kafkaNeeded = !endpoints.external.kafka;
    const registryNeeded = !endpoints.external.registry;
    const needsDownload = (kafkaNeeded && !kafkaCached(paths)) || (registryNeeded && !registryCached(paths));
    if (needsDownload) requireMaven();
    if (kafkaNeeded && ensureKafkaDistribution(paths, report).downloaded)
      result.downloaded.push(`kafka ${pinnedKafkaVersion()}`);
    if (registryNeeded && ensureRegistryDistribution(paths, report).downloaded) {
      result.downloaded.push(`apicurio-registry ${pinnedRegistryVersion()}`);
    }
  }

  const database = ensurePostgres(endpoints.databaseUrl, report);
  const waits: Promise<void>[] = [];
  if (!endpoints.external.kafka) {
    const kafka = startKafka(paths);
    (kafka.alreadyRunning ? result.alreadyRunning : result.started).push(`kafka (pid ${kafka.pid})`);
    waits.push(
      kafkaReady(endpoints.kafkaBrokers, 120_000).then((ready) => {
        if (!ready)
          throw new TributaryError(
            'STACK_START_FAILED',
            `Kafka did not become ready; see ${paths.logs}/kafka.log`,
          );
      }),
    );
  }
  if (!endpoints.external.registry) {
    const registry = startRegistry(paths);
    (registry.alreadyRunning ? result.alreadyRunning : result.started).push(`registry (pid ${registry.pid})`);
    waits.push(
      registryReady(endpoints.schemaRegistryUrl, 120_000).then((ready) => {
        if (!ready)
          throw new TributaryError(
            'STACK_START_FAILED',
            `the registry did not become ready; see ${paths.logs}/registry.log`,
          );
      }),
    );
  }
  const pg = await database;
  if (pg.started) result.started.push('postgresql');
  await Promise.all(waits);
  result.elapsedMs = Date.now() - began;
  return result;
}

export interface StackDownReport {
  stopped: string[];
  notRunning: string[];
}

export async function stackDown(
  options: { env?: NodeJS.ProcessEnv; paths?: StackPaths; wipe?: boolean } = {},
): Promise<StackDownReport> {
  const paths = options.paths ?? stackPaths(options.env ?? process.env);
  const result: StackDownReport = { stopped: [], notRunning: [] };
  // The registry first: it holds no durable state; Kafka gets a clean controlled shutdown.
  for (const [name, pidFile, marker] of [
    ['registry', registryPidFile(paths), 'apicurio-registry'],
    ['kafka', kafkaPidFile(paths), 'kafka.Kafka'],
  ] as const) {
    const pid = readPid(pidFile, marker);
    if (pid === undefined) {
      result.notRunning.push(name);
    } else {
      const how = await stopPid(pid, 30_000);
      result.stopped.push(`${name} (pid ${pid}, ${how})`);
    }
    rmSync(pidFile, { force: true });
  }
  if (options.wipe) rmSync(paths.kafkaData, { recursive: true, force: true });
  return result;
}

export interface ServiceStatus {
  name: string;
  endpoint: string;
  managed: boolean;
  pid?: number;
  rssBytes?: number;
  healthy: boolean;
  version?: string;
}

export async function stackStatus(
  options: { env?: NodeJS.ProcessEnv; paths?: StackPaths } = {},
): Promise<ServiceStatus[]> {
  const env = options.env ?? process.env;
  const paths = options.paths ?? stackPaths(env);
  const endpoints = resolveEndpoints(env);
  const kafkaPid = endpoints.external.kafka ? undefined : readPid(kafkaPidFile(paths), 'kafka.Kafka');
  const registryPid = endpoints.external.registry
    ? undefined
    : readPid(registryPidFile(paths), 'apicurio-registry');
  const [kafkaHealthy, registryHealthy, databaseHealthy] = await Promise.all([
    kafkaReady(endpoints.kafkaBrokers, 1),
    registryReady(endpoints.schemaRegistryUrl, 1),
    postgresReachable(endpoints.databaseUrl),
  ]);
  const withPid = (status: ServiceStatus, pid: number | undefined): ServiceStatus => {
    if (pid === undefined) return status;
    const rss = residentBytes(pid);
    return rss === undefined ? { ...status, pid } : { ...status, pid, rssBytes: rss };
  };
  return [
    withPid(
      {
        name: 'kafka',
        endpoint: endpoints.kafkaBrokers.join(','),
        managed: !endpoints.external.kafka,
        healthy: kafkaHealthy,
        version: endpoints.external.kafka ? 'external' : pinnedKafkaVersion(),
      },
      kafkaPid,
    ),
    withPid(
      {
        name: 'schema-registry',
        endpoint: endpoints.schemaRegistryUrl,
        managed: !endpoints.external.registry,
        healthy: registryHealthy,
        version: endpoints.external.registry ? 'external' : `apicurio ${pinnedRegistryVersion()}`,
      },
      registryPid,
    ),
    {
      name: 'postgresql',
      endpoint: new URL(endpoints.databaseUrl).host,
      managed: false,
      healthy: databaseHealthy,
    },
  ];
}
