import type { PlatformContext } from '../../platform/context.js';
import { startHealthServer } from '../../platform/healthServer.js';
import { createKafka } from '../../platform/kafka.js';
import { Lifecycle, onShutdownSignal } from '../../platform/lifecycle.js';
import { connectorFor } from '../sources/index.js';
import { PollingProducer } from './pollingProducer.js';
import type { SyncReport } from './pollingStream.js';

export interface RunProducerOptions {
  source: string;
  streams?: readonly string[];
  onReport?: (report: SyncReport) => void;
}

/** `tributary run producer <source>`: every stream on its schedule until SIGTERM. */
export async function runProducer(context: PlatformContext, options: RunProducerOptions): Promise<void> {
  const { config, log, metrics } = context;
  const definition = connectorFor(options.source);
  const kafka = createKafka({
    config,
    log,
    clientId: `${config.KAFKA_CLIENT_ID}-producer-${definition.source.name}`,
  });
  const producer = new PollingProducer({
    kafka,
    definition,
    log,
    metrics,
    ...(options.streams ? { streams: options.streams } : {}),
  });
  const lifecycle = new Lifecycle(
    `producer-${definition.source.name}`,
    {
      start: async () => {
        await producer.open();
        producer.start(options.onReport);
      },
      drain: () => producer.stop(),
    },
    log,
    config.SHUTDOWN_GRACE_MS,
  );
  const health = await startHealthServer({
    port: config.METRICS_PORT,
    registry: metrics,
    isLive: () => lifecycle.state !== 'failed',
    isReady: () => lifecycle.state === 'running',
  });
  onShutdownSignal(log, async () => {
    try {
      await lifecycle.stop();
    } finally {
      await health.close();
    }
  });
  await lifecycle.start();
  log.info(
    { source: definition.source.name, streams: definition.streams.map((stream) => stream.name) },
    'producer running',
  );
}

/** `tributary sync <source>`: one sync of each (selected) stream, then exit. */
export async function syncOnce(
  context: PlatformContext,
  options: RunProducerOptions & { full?: boolean },
): Promise<SyncReport[]> {
  const { config, log, metrics } = context;
  const definition = connectorFor(options.source);
  const kafka = createKafka({
    config,
    log,
    clientId: `${config.KAFKA_CLIENT_ID}-sync-${definition.source.name}`,
  });
  const producer = new PollingProducer({
    kafka,
    definition,
    log,
    metrics,
    ...(options.streams ? { streams: options.streams } : {}),
  });
  await producer.open();
  try {
    return await producer.syncOnce({ full: options.full ?? false });
  } finally {
    await producer.stop();
  }
}
