import { z } from 'zod/v4';
import { describeIssues } from '../../platform/config.js';
import { TributaryError } from '../../platform/errors.js';
import type { CdcTableInput } from './cdcOptions.js';

const policySchema = z.object({
  exclude: z.array(z.string()).optional(),
  mask: z.record(z.string(), z.enum(['last4', 'redact'])).optional(),
  reveal: z.array(z.string()).optional(),
});

/** CDC settings from the environment (DATABASE_URL and KAFKA_* come from the platform config). */
export const cdcSettingsSchema = z.object({
  CDC_SOURCE: z.string().regex(/^[A-Za-z0-9_-]+$/),
  CDC_INSTANCE: z.string().min(1).optional(),
  CDC_SLOT: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,62}$/)
    .optional(),
  CDC_PUBLICATION: z.string().min(1).optional(),
  CDC_TABLES: z
    .string()
    .transform((value) =>
      value
        .split(',')
        .map((t) => t.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.string()).min(1)),
  /** JSON: { "<schema.table>": { exclude?, mask?, reveal? } } */
  CDC_COLUMNS: z
    .string()
    .default('{}')
    .transform((value, ctx) => {
      try {
        return JSON.parse(value) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'not JSON' });
        return z.NEVER;
      }
    })
    .pipe(z.record(z.string(), policySchema)),
  CDC_HEARTBEAT_MS: z.coerce.number().int().positive().optional(),
  CDC_MAX_BATCH_RECORDS: z.coerce.number().int().positive().optional(),
  CDC_RETAINED_WAL_WARN_BYTES: z.coerce.number().int().positive().optional(),
});

export interface CdcSettings {
  source: string;
  sourceInstance?: string;
  slot?: string;
  publication?: string;
  tables: CdcTableInput[];
  heartbeatIntervalMs?: number;
  maxBatchRecords?: number;
  retainedWalWarnBytes?: number;
  afterCommitBeforeAck?: () => void;
}

export function cdcSettingsFromEnv(env: NodeJS.ProcessEnv): CdcSettings {
  const result = cdcSettingsSchema.safeParse(env);
  if (!result.success) {
    throw new TributaryError(
      'CONFIG_INVALID',
      `invalid CDC configuration: ${describeIssues(result.error.issues)}`,
    );
  }
  const s = result.data;
  const unknown = Object.keys(s.CDC_COLUMNS).filter((table) => !s.CDC_TABLES.includes(table));
  if (unknown.length > 0) {
    throw new TributaryError(
      'CONFIG_INVALID',
      `CDC_COLUMNS names tables not in CDC_TABLES: ${unknown.join(', ')}`,
    );
  }
  const settings: CdcSettings = {
    source: s.CDC_SOURCE,
    tables: s.CDC_TABLES.map((table) => {
      const policy = s.CDC_COLUMNS[table];
      const input: CdcTableInput = { table };
      if (policy?.exclude) input.exclude = policy.exclude;
      if (policy?.mask) input.mask = policy.mask;
      if (policy?.reveal) input.reveal = policy.reveal;
      return input;
    }),
  };
  if (s.CDC_INSTANCE) settings.sourceInstance = s.CDC_INSTANCE;
  if (s.CDC_SLOT) settings.slot = s.CDC_SLOT;
  if (s.CDC_PUBLICATION) settings.publication = s.CDC_PUBLICATION;
  if (s.CDC_HEARTBEAT_MS) settings.heartbeatIntervalMs = s.CDC_HEARTBEAT_MS;
  if (s.CDC_MAX_BATCH_RECORDS) settings.maxBatchRecords = s.CDC_MAX_BATCH_RECORDS;
  if (s.CDC_RETAINED_WAL_WARN_BYTES) settings.retainedWalWarnBytes = s.CDC_RETAINED_WAL_WARN_BYTES;
  return settings;
}
