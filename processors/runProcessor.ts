import type { PlatformContext } from '../platform/context.js';
import { canonicalPartitions } from '../platform/declaredTopics.js';
import { startHealthServer } from '../platform/healthServer.js';
import { createKafka } from '../platform/kafka.js';
import { Lifecycle, onShutdownSignal } from '../platform/lifecycle.js';
import { CanonicalCodec } from '../schemas/canonicalCodec.js';
import { entityCatalog } from '../schemas/entityCatalog.js';
import { erpFxRatesTopic } from './mappings/erpFxRates.js';
import { crosswalks, mappings, mergePolicies } from './mappings/index.js';
import { ExactlyOnceProcessor } from './runtime/exactlyOnceProcessor.js';
import { CrosswalkFeed } from './stages/crosswalkFeed.js';
import { FxRateFeed } from './stages/fxRateFeed.js';
import { MapStage } from './stages/mapStage.js';
import { MergeStage } from './stages/mergeStage.js';

export const processorNames = ['map', 'merge'] as const;
export type ProcessorName = (typeof processorNames)[number];

export function processorGroupId(name: ProcessorName): string {
  return `tributary-processor-${name}`;
}

export interface RunProcessorOptions {
  /** Override the consumer group (tests). */
  groupId?: string;
  sessionTimeoutMs?: number;
  onFatal?: (error: unknown) => void;
}

/** Builds the processor for a stage (without starting it). */
export function createProcessor(
  context: PlatformContext,
  name: ProcessorName,
  options: RunProcessorOptions = {},
): ExactlyOnceProcessor {
  const { config, log, metrics } = context;
  const kafka = createKafka({ config, log, clientId: `${config.KAFKA_CLIENT_ID}-processor-${name}` });
  const stage =
    name === 'map'
      ? new MapStage({
          mappings,
          partitions: canonicalPartitions,
          metrics,
          fx: new FxRateFeed(kafka, erpFxRatesTopic, log),
          crosswalks: new CrosswalkFeed(kafka, crosswalks, log),
          reportingCurrency: process.env['REPORTING_CURRENCY'] ?? 'USD',
        })
      : new MergeStage({
          kafka,
          contracts: entityCatalog,
          policies: mergePolicies,
          encoder: new CanonicalCodec(config.SCHEMA_REGISTRY_URL),
          log,
          metrics,
          stateDirectory: config.MERGE_STATE_DIR,
        });
  return new ExactlyOnceProcessor({
    kafka,
    groupId: options.groupId ?? processorGroupId(name),
    inputTopics: stage.inputTopics,
    stage,
    dlqTopic: 'dlq.processor',
    log,
    metrics,
    ...(options.sessionTimeoutMs ? { sessionTimeoutMs: options.sessionTimeoutMs } : {}),
    ...(options.onFatal ? { onFatal: options.onFatal } : {}),
  });
}

/**
 * Runs a processor stage as a process: health/metrics server, graceful SIGTERM within the grace
 * period (the current transaction finishes or aborts; uncommitted input is re-read by the next
 * owner). Resolves when the process should exit.
 */
export async function runProcessor(
  context: PlatformContext,
  name: ProcessorName,
  options: RunProcessorOptions = {},
): Promise<void> {
  const { config, log, metrics } = context;
  const processor = createProcessor(context, name, {
    ...options,
    onFatal: (error) => {
      log.fatal({ err: error }, 'processor stopped consuming; exiting so it is restarted');
      process.exit(1);
    },
  });
  const lifecycle = new Lifecycle(
    `processor-${name}`,
    { start: () => processor.start(), drain: () => processor.stop() },
    log,
    config.SHUTDOWN_GRACE_MS,
  );
  const health = await startHealthServer({
    port: config.METRICS_PORT,
    registry: metrics,
    isLive: () => lifecycle.state !== 'failed',
    isReady: () => lifecycle.state === 'running' && processor.isRunning,
  });
  onShutdownSignal(log, async () => {
    try {
      await lifecycle.stop();
    } finally {
      await health.close();
    }
  });
  await lifecycle.start();
  log.info({ processor: name, group: options.groupId ?? processorGroupId(name) }, 'processor running');
}
