/**
 * A polling producer process for the chaos run and the end-to-end benchmark:
 *   node --import tsx test/chaos/producerChild.ts <hr|erp>
 * Same runtime as `tributary run producer` (producers/main.ts), but every stream polls every
 * POLL_INTERVAL_MS (the shipped connectors hard-code 60 s, far too slow to measure latency or to
 * drain a chaos run), and each sync report is printed as one JSON line on stdout so the parent can
 * tell when the initial load is published.
 */
import { createContext } from '../../platform/context.js';
import { createKafka } from '../../platform/kafka.js';
import { PollingProducer } from '../../producers/runtime/pollingProducer.js';
import { connectorFor } from '../../producers/sources/index.js';

const source = process.argv[2] ?? '';
const interval = Number(process.env['POLL_INTERVAL_MS'] ?? 1_000);
const context = createContext(process.env, `tributary-producer-${source}`);
const shipped = connectorFor(source, process.env);
const definition = {
  ...shipped,
  streams: shipped.streams.map((stream) => ({ ...stream, schedule: { intervalMs: interval } })),
};
const producer = new PollingProducer({
  kafka: createKafka({ config: context.config, log: context.log, clientId: `chaos-producer-${source}` }),
  definition,
  log: context.log,
  metrics: context.metrics,
});
try {
  await producer.open();
  producer.start((report) => process.stdout.write(`${JSON.stringify({ event: 'report', ...report })}\n`));
  process.stdout.write(`${JSON.stringify({ event: 'running', pid: process.pid })}\n`);
} catch (error) {
  context.log.fatal({ err: error }, 'producer could not start');
  process.exit(1);
}
const stop = (): void => {
  producer.stop().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
