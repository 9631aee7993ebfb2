import type { Config } from '../../platform/config.js';
import { sourceStateTopic } from '../../platform/declaredTopics.js';
import { createKafka } from '../../platform/kafka.js';
import type { Logger } from '../../platform/logger.js';
import { createMetricsRegistry } from '../../platform/metrics.js';
import { applyTopics, topicSpec } from '../../platform/topics.js';
import { CdcProducer } from './cdcProducer.js';
import type { CdcSettings } from './cdcSettings.js';
import { rawTopicFor } from './changeEvents.js';
import { splitTableName } from './sourceChecks.js';

/**
 * Runs one CDC producer until a signal or a failure. Topics are applied first (brokers never
 * auto-create them). Returns the exit code: 0 after a clean stop, 1 after a failure — the
 * process is meant to be restarted, and resumes from the committed LSN.
 */
export async function runCdcProducer(config: Config, settings: CdcSettings, log: Logger): Promise<number> {
  const kafka = createKafka({ config, log, clientId: `tributary-cdc-${settings.source}` });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const streams = settings.tables.map((t) => {
      const { schema, table } = splitTableName(t.table);
      return `${schema}.${table}`;
    });
    await applyTopics(admin, [
      topicSpec(sourceStateTopic),
      ...streams.map((stream) => topicSpec(rawTopicFor(settings.source, stream))),
    ]);
  } finally {
    await admin.disconnect();
  }
  const producer = new CdcProducer({
    kafka,
    databaseUrl: config.DATABASE_URL,
    log,
    metrics: createMetricsRegistry(),
    ...settings,
  });
  let stopping = false;
  const stop = (): void => {
    if (stopping) process.exit(130);
    stopping = true;
    producer.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  await producer.start();
  log.info({ source: settings.source }, 'CDC producer running');
  try {
    await producer.failed;
    return 0;
  } catch (error) {
    log.error({ err: error }, 'CDC producer failed');
    await producer.stop().catch(() => undefined);
    return 1;
  }
}
