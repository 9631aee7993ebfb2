import type { Registry } from 'prom-client';
import { ensureCounter, ensureGauge, ensureHistogram } from '../../platform/metrics.js';

/** The sink's metrics; labels are bounded (entity, topic, partition — never ids). */
export function createSinkMetrics(registry: Registry) {
  return {
    rowsUpserted: ensureCounter(registry, 'tributary_sink_rows_upserted_total', 'Rows inserted or updated', [
      'entity',
    ]),
    rowsDeleted: ensureCounter(
      registry,
      'tributary_sink_rows_deleted_total',
      'Rows soft-deleted by tombstones',
      ['entity'],
    ),
    batchSize: ensureHistogram(
      registry,
      'tributary_sink_batch_records',
      'Records per committed batch',
      ['entity'],
      [1, 10, 50, 100, 250, 500, 1000, 2500, 5000, 10000],
    ),
    batchLatency: ensureHistogram(
      registry,
      'tributary_sink_batch_seconds',
      'Batch transaction latency incl. retries',
      ['entity'],
    ),
    lag: ensureGauge(registry, 'tributary_sink_lag_records', 'High watermark minus stored next offset', [
      'topic',
      'partition',
    ]),
    pausedPartitions: ensureGauge(
      registry,
      'tributary_sink_paused_partitions',
      'Partitions currently paused',
    ),
    bufferedRecords: ensureGauge(registry, 'tributary_sink_buffered_records', 'Records buffered in memory'),
    bufferedBytes: ensureGauge(
      registry,
      'tributary_sink_buffered_bytes',
      'Encoded bytes buffered in memory across all partitions (bounded by maxBufferedBytes)',
    ),
    dlq: ensureCounter(registry, 'tributary_sink_dlq_total', 'Records sent to the DLQ', ['entity', 'stage']),
    retries: ensureCounter(registry, 'tributary_sink_retries_total', 'Batch transactions retried', [
      'entity',
    ]),
    offsetConflicts: ensureCounter(
      registry,
      'tributary_sink_offset_conflicts_total',
      'Batches aborted because another instance moved the stored offset',
      ['entity'],
    ),
    circuitState: ensureGauge(
      registry,
      'tributary_sink_db_circuit_state',
      'Database circuit: 0 closed, 1 half-open, 2 open',
    ),
  };
}

export type SinkMetrics = ReturnType<typeof createSinkMetrics>;
