/**
 * Full sync of N records from each sample source into fresh raw topics, through the real polling
 * producer (HTTP, auth, paging, dedupe, one Kafka transaction per page).
 *   node --import tsx bench/producers/pollingBench.ts [--records 100000] [--page-size 1000]
 * Prints records/s per source next to the simulator's own serving rate measured in the same run
 * (the same pages fetched with plain fetch and no Kafka), so the ratio shows what the producer costs.
 */
import { parseArgs } from 'node:util';
import { parseConfig } from '../../platform/config.js';
import { createKafka } from '../../platform/kafka.js';
import { createLogger } from '../../platform/logger.js';
import { createMetricsRegistry } from '../../platform/metrics.js';
import { applyTopics, topicSpec } from '../../platform/topics.js';
import type { ConnectorDefinition } from '../../producers/connector/connectorDefinition.js';
import { PollingProducer } from '../../producers/runtime/pollingProducer.js';
import { ErpSimulator, HrSimulator } from '../../producers/simulators/index.js';
import { erpConnector } from '../../producers/sources/erpSource.js';
import { hrConnector } from '../../producers/sources/hrSource.js';

const { values } = parseArgs({
  options: {
    records: { type: 'string', default: '100000' },
    'page-size': { type: 'string', default: '1000' },
  },
});
const records = Number(values.records);
const pageSize = Number(values['page-size']);
const log = createLogger({ level: 'warn', name: 'polling-bench' });
const kafka = createKafka({
  config: parseConfig({ KAFKA_BROKERS: process.env['KAFKA_BROKERS'] ?? '127.0.0.1:19092' }),
  log,
  clientId: 'polling-bench',
});
const run = Date.now().toString(36);

async function plainFetchRate(
  first: string,
  headers: Record<string, string>,
  next: (body: unknown, url: string) => string | null,
  select: (body: unknown) => unknown[],
): Promise<number> {
  const started = Date.now();
  let url: string | null = first;
  let count = 0;
  while (url) {
    const response = await fetch(url, { headers });
    const body: unknown = await response.json();
    count += select(body).length;
    url = next(body, url);
  }
  return count / ((Date.now() - started) / 1000);
}

async function producerRate(
  definition: ConnectorDefinition,
  stream: string,
  env: Record<string, string>,
): Promise<{ rate: number; published: number }> {
  const source = `bench${run}${definition.source.name}`;
  const scoped = {
    ...definition,
    source: { ...definition.source, name: source, instance: `${source}-instance` },
  };
  const admin = kafka.admin();
  await admin.connect();
  await applyTopics(admin, [
    topicSpec('_tributary.source-state', { partitions: 3 }),
    topicSpec(`raw.${source}.${stream}`),
  ]);
  await admin.disconnect();
  const producer = new PollingProducer({
    kafka,
    definition: scoped,
    log,
    metrics: createMetricsRegistry({ defaultMetrics: false }),
    secrets: { env },
    streams: [stream],
  });
  await producer.open();
  const started = Date.now();
  const [report] = await producer.syncOnce();
  const seconds = (Date.now() - started) / 1000;
  await producer.stop();
  if (report?.outcome !== 'success') throw new Error(`sync failed: ${report?.error}`);
  return { rate: report.published / seconds, published: report.published };
}

const hr = new HrSimulator({ seed: 1, records, maxPageSize: Math.max(1000, pageSize) });
const hrUrl = (await hr.start({ port: 0, host: '127.0.0.1' })).url;
const hrEnv = {
  HR_BASE_URL: hrUrl,
  HR_CLIENT_ID: 'tributary-client',
  HR_CLIENT_SECRET: 'tributary-secret',
  HR_PAGE_SIZE: String(pageSize),
  HR_REQUESTS_PER_SECOND: '10000',
};
const token = (await (
  await fetch(`${hrUrl}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials&client_id=tributary-client&client_secret=tributary-secret',
  })
).json()) as { access_token: string };
const hrPlain = await plainFetchRate(
  `${hrUrl}/v1/workers?paging=cursor&limit=${pageSize}`,
  { authorization: `Bearer ${token.access_token}` },
  (body) => {
    const next = (body as { next_cursor: string | null }).next_cursor;
    return next
      ? `${hrUrl}/v1/workers?paging=cursor&cursor=${encodeURIComponent(next)}&limit=${pageSize}`
      : null;
  },
  (body) => (body as { data: unknown[] }).data,
);
const hrProducer = await producerRate(hrConnector(hrEnv), 'workers', hrEnv);
await hr.stop();

const erp = new ErpSimulator({ seed: 1, records, maxPageSize: Math.max(1000, pageSize) });
const erpUrl = (await erp.start({ port: 0, host: '127.0.0.1' })).url;
const erpEnv = {
  ERP_BASE_URL: erpUrl,
  ERP_USERNAME: 'tributary',
  ERP_PASSWORD: 'tributary-password',
  ERP_REQUESTS_PER_SECOND: '10000',
};
const basic = `Basic ${Buffer.from('tributary:tributary-password').toString('base64')}`;
const erpPlain = await plainFetchRate(
  `${erpUrl}/odata/v4/Invoices?$expand=Lines`,
  { authorization: basic, prefer: 'odata.maxpagesize=500' },
  (body) => (body as { '@odata.nextLink'?: string })['@odata.nextLink'] ?? null,
  (body) => (body as { value: unknown[] }).value,
);
const erpProducer = await producerRate(erpConnector(erpEnv), 'invoices', erpEnv);
await erp.stop();

const line = (name: string, plain: number, producer: { rate: number; published: number }) =>
  `| ${name} | ${producer.published} | ${producer.rate.toFixed(0)} | ${plain.toFixed(0)} | ${(producer.rate / plain).toFixed(2)} |`;
process.stdout.write(
  [
    `full sync of ${records} records per source (page size ${pageSize}; ERP pages of 500)`,
    '| source | records published | producer records/s (→ committed raw) | plain HTTP fetch records/s (baseline) | ratio |',
    '|---|---|---|---|---|',
    line('HR workers (OAuth2, cursor paging)', hrPlain, hrProducer),
    line('ERP invoices with lines (Basic, OData $skiptoken)', erpPlain, erpProducer),
    '',
  ].join('\n'),
);
process.exit(0);
