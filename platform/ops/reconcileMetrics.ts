import type { Registry } from 'prom-client';
import { ensureGauge } from '../metrics.js';
import type { ReconcileReport } from './reconcile.js';

/**
 * The report as gauges. Each run replaces the previous values (reset, then set), so a label set
 * whose drift cleared reads 0 and one no longer checked disappears. Labels are bounded: entity
 * (or `<source>.<stream>` for source/raw rows), stage, kind — never ids. Several instances of one
 * stream add up. Dead letters have their own gauge: deploy/prometheus/alerts.yaml alerts on any
 * drift, and records dead-lettered on purpose are the DLQ alerts' business. Names are literals
 * because .ci/validate-deploy.sh finds emitted metrics by scanning `ensureGauge(registry, '…'`.
 */
export function exportReconcileMetrics(registry: Registry, report: ReconcileReport): void {
  const records = ensureGauge(
    registry,
    'tributary_reconcile_records',
    'Live records per entity (or source stream) and stage, as counted by the last reconcile',
    ['entity', 'stage'],
  );
  const drift = ensureGauge(
    registry,
    'tributary_reconcile_drift_records',
    'Records that differ between a stage and the stage it is checked against (missing, extra, content/version mismatch, unmappable), last reconcile',
    ['entity', 'stage', 'kind'],
  );
  const deadLettered = ensureGauge(
    registry,
    'tributary_reconcile_dead_lettered_records',
    'Records absent from a stage because they were dead-lettered (not counted as drift), last reconcile',
    ['entity', 'stage'],
  );
  records.reset();
  drift.reset();
  deadLettered.reset();
  const sum = (
    map: Map<string, { labels: Record<string, string>; value: number }>,
    labels: Record<string, string>,
    value: number,
  ) => {
    const key = JSON.stringify(labels);
    const entry = map.get(key);
    if (entry) entry.value += value;
    else map.set(key, { labels, value });
  };
  const recordSums = new Map<string, { labels: Record<string, string>; value: number }>();
  for (const figure of report.figures)
    if (figure.records !== null)
      sum(recordSums, { entity: figure.entity, stage: figure.stage }, figure.records);
  for (const { labels, value } of recordSums.values()) records.set(labels, value);
  const driftSums = new Map<string, { labels: Record<string, string>; value: number }>();
  for (const entry of report.drift)
    sum(driftSums, { entity: entry.entity, stage: entry.stage, kind: entry.kind }, entry.count);
  for (const { labels, value } of driftSums.values()) drift.set(labels, value);
  for (const entry of report.deadLettered)
    deadLettered.set({ entity: entry.entity, stage: entry.stage }, entry.count);
}
