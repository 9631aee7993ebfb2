import pkg from '@kafkajs/confluent-schema-registry';
import type { PlatformContext } from '../../platform/context.js';
import { startHealthServer } from '../../platform/healthServer.js';
import { createKafka } from '../../platform/kafka.js';
import { onShutdownSignal } from '../../platform/lifecycle.js';
import { createPgPool } from '../../platform/postgres.js';
import { JsonWireDecoder } from '../../schemas/wireFormat.js';
import { PostgresSink } from './postgresSink.js';
import type { PostgresSinkOptionsInput } from './sinkOptions.js';

const { SchemaRegistry } = pkg;

export interface RunPostgresSinkOptions {
  sink: PostgresSinkOptionsInput;
  /** Test fault point: SIGKILL this process right after the Nth database COMMIT. */
  killAfterCommit?: number;
}

/**
 * Runs the sink as a process: health/metrics server, SIGTERM/SIGINT → graceful drain within the
 * grace period, exit code 1 on a fatal error. Resolves when the process should exit.
 */
export async function runPostgresSink(
  context: PlatformContext,
  options: RunPostgresSinkOptions,
): Promise<number> {
  const { config, log, metrics } = context;
  const pool = createPgPool(config);
  const decoder = new JsonWireDecoder(new SchemaRegistry({ host: config.SCHEMA_REGISTRY_URL }));
  let commits = 0;
  let resolveExit: (code: number) => void = () => undefined;
  const exit = new Promise<number>((resolve) => {
    resolveExit = resolve;
  });
  const sink = new PostgresSink(options.sink, {
    kafka: createKafka({ config, log, clientId: `${config.KAFKA_CLIENT_ID}-sink` }),
    pool,
    decoder,
    log,
    metrics,
    graceMs: config.SHUTDOWN_GRACE_MS,
    onFatal: () => {
      sink.stop().then(
        () => resolveExit(1),
        () => resolveExit(1),
      );
    },
    faults:
      options.killAfterCommit === undefined
        ? undefined
        : {
            afterDbCommit: () => {
              commits++;
              if (commits >= (options.killAfterCommit ?? 0)) process.kill(process.pid, 'SIGKILL');
            },
          },
  });
  const health = await startHealthServer({
    port: config.METRICS_PORT,
    registry: metrics,
    isLive: () => sink.state !== 'failed',
    isReady: () => sink.state === 'running' && sink.circuitState === 'closed',
  });
  const removeSignals = onShutdownSignal(log, async () => {
    try {
      await sink.stop();
    } finally {
      await health.close();
      await pool.end();
    }
  });
  await sink.start();
  log.info({ entities: options.sink.entities.map((spec) => spec.entity) }, 'postgres sink running');
  const code = await exit;
  removeSignals();
  await health.close();
  await pool.end().catch(() => undefined);
  return code;
}
