/**
 * Process entry point of `tributary run sink postgres`, also spawned directly by tests:
 *   node --import tsx sinks/postgres/main.ts [--entities employee,invoice]
 * Environment: the platform settings (KAFKA_BROKERS, SCHEMA_REGISTRY_URL, DATABASE_URL, …) plus
 *   SINK_GROUP_ID, SINK_KAFKA_GROUP_ID, SINK_SESSION_TIMEOUT_MS, SINK_DLQ_TOPIC, SINK_TOPICS (entity=topic,…), SINK_MAX_BATCH,
 *   SINK_LINGER_MS, SINK_HIGH_WATER_RECORDS, SINK_LOW_WATER_RECORDS, SINK_MAX_BYTES_PER_PARTITION, SINK_MAX_BUFFERED_BYTES,
 *   SINK_CIRCUIT_RESET_MS, SINK_BACKOFF_INITIAL_MS, SINK_BACKOFF_MAX_MS,
 *   SINK_KILL_AFTER_COMMIT (tests: SIGKILL itself right after the Nth COMMIT).
 */
import { createContext } from '../../platform/context.js';
import { TributaryError } from '../../platform/errors.js';
import { runPostgresSink } from './runPostgresSink.js';
import { sinkSettingsFromEnv } from './sinkSettings.js';
import { selectEntityTables } from './specs/entityTables.js';

function entitiesArgument(argv: readonly string[]): string[] | undefined {
  const index = argv.indexOf('--entities');
  const inline = argv.find((arg) => arg.startsWith('--entities='));
  const value = inline ? inline.slice('--entities='.length) : index >= 0 ? argv[index + 1] : undefined;
  return value
    ?.split(',')
    .map((name) => name.trim())
    .filter(Boolean);
}

async function main(): Promise<number> {
  const context = createContext(process.env, 'tributary-sink');
  const settings = sinkSettingsFromEnv(process.env);
  return runPostgresSink(context, {
    sink: { ...settings.sink, entities: selectEntityTables(entitiesArgument(process.argv.slice(2))) },
    killAfterCommit: settings.killAfterCommit,
  });
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    const reason = error instanceof TributaryError ? `${error.code}: ${error.message}` : String(error);
    process.stderr.write(`tributary sink: ${reason}\n`);
    process.exit(1);
  },
);
