import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod/v4';
import { TributaryError } from './errors.js';
import { localEndpoints } from './stack/paths.js';

/**
 * Process configuration. Parsed once in `main` from the environment (and an optional JSON file
 * named by TRIBUTARY_CONFIG); never read at import time, so tests pass their own values.
 * Every key below is the environment variable of the same name.
 */
const booleanSetting = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((value) => value === 'true' || value === '1' || value === 'yes');

export const configSchema = z
  .object({
    KAFKA_BROKERS: z
      .string()
      .default(localEndpoints.kafka)
      .transform((value) => value.split(',').map((broker) => broker.trim()))
      .pipe(z.array(z.string().regex(/^[^:\s]+:\d{1,5}$/, 'expected host:port')).min(1)),
    KAFKA_CLIENT_ID: z.string().min(1).default('tributary'),
    KAFKA_SSL: booleanSetting.default(false),
    KAFKA_SASL_MECHANISM: z
      .enum(['none', 'plain', 'scram-sha-256', 'scram-sha-512', 'oauthbearer'])
      .default('none'),
    KAFKA_SASL_USERNAME: z.string().optional(),
    KAFKA_SASL_PASSWORD: z.string().optional(),
    /** AWS region of an MSK cluster using IAM auth (KAFKA_SASL_MECHANISM=oauthbearer). */
    KAFKA_AWS_REGION: z
      .string()
      .regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'expected an AWS region such as eu-west-1')
      .optional(),
    SCHEMA_REGISTRY_URL: z.url().default(localEndpoints.registry),
    DATABASE_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'expected a postgres:// URL')
      .default('postgres://postgres@127.0.0.1:5432/tributary'),
    DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(4),
    LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
    METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(9464),
    SHUTDOWN_GRACE_MS: z.coerce.number().int().min(100).max(600_000).default(25_000),
    TRIBUTARY_HOME: z.string().min(1).optional(),
    /**
     * Where the merge processor keeps its state on local disk (a rebuildable cache; on Kubernetes
     * an emptyDir). Each process uses a fresh subdirectory and removes it on exit.
     */
    MERGE_STATE_DIR: z.string().min(1).default(join(tmpdir(), 'tributary-merge-state')),
  })
  .superRefine((config, ctx) => {
    if (config.KAFKA_SASL_MECHANISM === 'oauthbearer' && !config.KAFKA_AWS_REGION) {
      ctx.addIssue({
        code: 'custom',
        path: ['KAFKA_AWS_REGION'],
        message: 'required when KAFKA_SASL_MECHANISM=oauthbearer (MSK IAM)',
      });
    }
    if (config.KAFKA_SASL_MECHANISM === 'plain' || config.KAFKA_SASL_MECHANISM.startsWith('scram')) {
      for (const key of ['KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD'] as const) {
        if (!config[key]) {
          ctx.addIssue({
            code: 'custom',
            path: [key],
            message: `required when KAFKA_SASL_MECHANISM=${config.KAFKA_SASL_MECHANISM}`,
          });
        }
      }
    }
  });

export type Config = z.output<typeof configSchema>;
export type ConfigInput = Partial<Record<keyof z.input<typeof configSchema>, string>>;

/** Formats every zod issue as `SETTING: problem` so the operator knows which variable to fix. */
export function describeIssues(issues: readonly z.core.$ZodIssue[], prefix = ''): string {
  return issues
    .map((issue) => {
      const path = issue.path.length > 0 ? issue.path.map(String).join('.') : '(root)';
      return `${prefix}${path}: ${issue.message}`;
    })
    .join('; ');
}

export function parseConfig(input: ConfigInput): Config {
  const result = configSchema.safeParse(input);
  if (!result.success) {
    throw new TributaryError(
      'CONFIG_INVALID',
      `invalid configuration: ${describeIssues(result.error.issues)}`,
      {
        details: { settings: result.error.issues.map((issue) => issue.path.join('.')) },
      },
    );
  }
  return result.data;
}

/** Reads settings from an optional JSON file, then the environment (environment wins). */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const fromFile: ConfigInput = {};
  const file = env['TRIBUTARY_CONFIG'];
  if (file) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(file, 'utf8'));
    } catch (error) {
      throw new TributaryError('CONFIG_INVALID', `TRIBUTARY_CONFIG: cannot read ${file} as JSON`, {
        cause: error,
      });
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new TributaryError('CONFIG_INVALID', `TRIBUTARY_CONFIG: ${file} must hold a JSON object`);
    }
    for (const [key, value] of Object.entries(parsed)) {
      if (!(key in configSchema.shape)) {
        throw new TributaryError('CONFIG_INVALID', `TRIBUTARY_CONFIG: unknown setting ${key} in ${file}`);
      }
      (fromFile as Record<string, string>)[key] = String(value);
    }
  }
  const fromEnv: ConfigInput = {};
  for (const key of Object.keys(configSchema.shape) as (keyof ConfigInput)[]) {
    const value = env[key];
    if (value !== undefined && value !== '') fromEnv[key] = value;
  }
  return parseConfig({ ...fromFile, ...fromEnv });
}
