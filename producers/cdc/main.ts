import { loadConfig } from '../../platform/config.js';
import { createLogger } from '../../platform/logger.js';
import { cdcSettingsFromEnv } from './cdcSettings.js';
import { runCdcProducer } from './runCdcProducer.js';

/**
 * Process entry point: `node --import tsx producers/cdc/main.ts` with KAFKA_BROKERS,
 * DATABASE_URL (the source), CDC_SOURCE, CDC_TABLES and optionally CDC_SLOT, CDC_PUBLICATION,
 * CDC_INSTANCE, CDC_COLUMNS, CDC_HEARTBEAT_MS. Safe to SIGKILL at any point: a restart resumes
 * from the LSN committed in Kafka.
 */
const config = loadConfig(process.env);
const log = createLogger({ level: config.LOG_LEVEL, name: 'tributary-cdc' });
// Crash tests only: SIGKILL ourselves with this probability right after a Kafka commit, before the ack.
const killAfterCommit = Number(process.env['CDC_KILL_AFTER_COMMIT'] ?? 0);
const afterCommitBeforeAck = (): void => {
  if (killAfterCommit > 0 && Math.random() < killAfterCommit) {
    log.warn('fault injection: SIGKILL after a Kafka commit, before the slot acknowledgement');
    process.kill(process.pid, 'SIGKILL');
  }
};
try {
  process.exitCode = await runCdcProducer(
    config,
    { ...cdcSettingsFromEnv(process.env), afterCommitBeforeAck },
    log,
  );
} catch (error) {
  log.fatal({ err: error }, 'CDC producer could not start');
  process.exitCode = 1;
}
process.exit();
