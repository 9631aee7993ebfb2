import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/**
 * Metrics are created on a registry that is passed in (never the global one), so two
 * components in one test process never collide and tests can read exactly what they emitted.
 */
export function createMetricsRegistry(options: { defaultMetrics?: boolean } = {}): Registry {
  const registry = new Registry();
  if (options.defaultMetrics ?? true)
    collectDefaultMetrics({ register: registry, prefix: 'tributary_process_' });
  return registry;
}

type LabelNames<T extends string> = readonly T[];

/** Returns the metric already registered under `name`, or registers it. */
export function ensureCounter<T extends string>(
  registry: Registry,
  name: string,
  help: string,
  labelNames: LabelNames<T> = [],
): Counter<T> {
  const existing = registry.getSingleMetric(name);
  if (existing) return existing as Counter<T>;
  return new Counter({ name, help, labelNames: [...labelNames], registers: [registry] });
}

export function ensureGauge<T extends string>(
  registry: Registry,
  name: string,
  help: string,
  labelNames: LabelNames<T> = [],
): Gauge<T> {
  const existing = registry.getSingleMetric(name);
  if (existing) return existing as Gauge<T>;
  return new Gauge({ name, help, labelNames: [...labelNames], registers: [registry] });
}

export function ensureHistogram<T extends string>(
  registry: Registry,
  name: string,
  help: string,
  labelNames: LabelNames<T> = [],
  buckets: number[] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
): Histogram<T> {
  const existing = registry.getSingleMetric(name);
  if (existing) return existing as Histogram<T>;
  return new Histogram({ name, help, labelNames: [...labelNames], buckets, registers: [registry] });
}
