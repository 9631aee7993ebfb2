import { TributaryError } from '../errors.js';

/** One sample of a Prometheus text exposition. */
export interface MetricSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const sampleLine = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\d+)?$/;
const labelPair = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/** Parses the sample lines of the text format (comments and HELP/TYPE lines are skipped). */
export function parsePrometheusText(body: string, names?: ReadonlySet<string>): MetricSample[] {
  const samples: MetricSample[] = [];
  for (const line of body.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = sampleLine.exec(line.trim());
    if (!match) continue;
    const [, name, labelText, valueText] = match as unknown as [string, string, string | undefined, string];
    if (names && !names.has(name)) continue;
    const labels: Record<string, string> = {};
    for (const pair of (labelText ?? '').matchAll(labelPair)) {
      const [, label, value] = pair as unknown as [string, string, string];
      labels[label] = value.replace(/\\"/g, '"').replace(/\\n/g, '\n').replace(/\\\\/g, '\\');
    }
    samples.push({ name, labels, value: Number(valueText) });
  }
  return samples;
}

/** The per-process state only a running role knows: paused partitions, circuits, last sync outcome. */
export const statusMetricNames = new Set([
  'tributary_sink_paused_partitions',
  'tributary_sink_buffered_records',
  'tributary_sink_db_circuit_state',
  'tributary_connector_circuit_state',
  'tributary_source_syncs_total',
  'tributary_source_last_success_timestamp_seconds',
  'tributary_processor_partition_lag',
]);

export async function scrapeMetrics(
  url: string,
  names: ReadonlySet<string> = statusMetricNames,
  timeoutMs = 5_000,
): Promise<MetricSample[]> {
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    throw new TributaryError('HTTP_ERROR', `cannot scrape ${url}`, { cause: error, retryable: true });
  }
  if (!response.ok) throw new TributaryError('HTTP_ERROR', `scraping ${url}: HTTP ${response.status}`);
  return parsePrometheusText(await response.text(), names);
}
