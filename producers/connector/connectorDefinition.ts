import { z } from 'zod/v4';
import { TributaryError } from '../../platform/errors.js';
import type { SignRequest } from './auth/customSigning.js';
import { retryPolicySchema } from './retry.js';

/**
 * The typed declaration a connector author writes. Everything is validated and defaulted once,
 * in defineConnector(), so the runtime only ever sees a complete definition. Secrets appear only
 * as references ({ env } or { file }); a literal string where a secret belongs is rejected.
 */

const SECRET_REF_ERROR =
  'a secret must be referenced as { env: "VAR" } or { file: "/path" }, never written inline';

export const secretRefSchema = z.union(
  [z.strictObject({ env: z.string().min(1) }), z.strictObject({ file: z.string().min(1) })],
  { error: SECRET_REF_ERROR },
);

const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an absolute http(s) URL' });
/** Dot path into a JSON body: 'data.items'; '' is the body itself. Keys containing dots (like
 * '@odata.nextLink') are matched whole first, see getPath(). */
const dotPath = z.string();
const clientAuth = z.enum(['basic', 'body']).default('basic');
const refreshSkewMs = z.number().int().min(0).default(60_000);

export const authSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('none') }),
  z.strictObject({
    type: z.literal('oauth2-client-credentials'),
    tokenUrl: httpUrl,
    clientId: secretRefSchema,
    clientSecret: secretRefSchema,
    scope: z.string().optional(),
    clientAuth,
    refreshSkewMs,
  }),
  z.strictObject({
    type: z.literal('oauth2-refresh-token'),
    tokenUrl: httpUrl,
    clientId: secretRefSchema,
    clientSecret: secretRefSchema,
    /** Holds the current refresh token; rewritten atomically when the server rotates it. */
    refreshTokenFile: z.string().min(1),
    scope: z.string().optional(),
    clientAuth,
    refreshSkewMs,
  }),
  z.strictObject({
    type: z.literal('api-key'),
    in: z.enum(['header', 'query']),
    name: z.string().min(1),
    value: secretRefSchema,
    prefix: z.string().default(''),
  }),
  z.strictObject({ type: z.literal('basic'), username: secretRefSchema, password: secretRefSchema }),
  z.strictObject({
    type: z.literal('custom'),
    sign: z.custom<SignRequest>((value) => typeof value === 'function', { error: 'sign must be a function' }),
    /** Secrets handed to the hook by name. */
    secrets: z.record(z.string(), secretRefSchema).default({}),
  }),
]);

export const rateLimitSchema = z.strictObject({
  requestsPerSecond: z.number().positive().default(5),
  /** @default ceil(requestsPerSecond) */
  burst: z.number().int().min(1).optional(),
  maxConcurrency: z.number().int().min(1).default(4),
});

export const timeoutsSchema = z.strictObject({
  /** Whole request, headers and body. */
  requestMs: z.number().int().positive().default(30_000),
  maxResponseBytes: z
    .number()
    .int()
    .positive()
    .default(32 * 1024 * 1024),
});

export const circuitBreakerConfigSchema = z.strictObject({
  errorThresholdPercentage: z.number().gt(0).lt(100).default(50),
  resetTimeoutMs: z.number().int().positive().default(30_000),
  rollingWindowMs: z.number().int().positive().default(60_000),
  rollingBuckets: z.number().int().min(1).default(10),
  volumeThreshold: z.number().int().min(0).default(10),
});

const pageSize = z.number().int().positive();

export const paginationSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('none') }),
  z.strictObject({
    type: z.literal('page-number'),
    pageParam: z.string().min(1).default('page'),
    pageSizeParam: z.string().min(1).nullable().default('page_size'),
    pageSize,
    startPage: z.number().int().min(0).default(1),
    /** Dot path to the total page count, when the API reports it; otherwise a short page ends. */
    totalPagesPath: dotPath.optional(),
  }),
  z.strictObject({
    type: z.literal('offset-limit'),
    offsetParam: z.string().min(1).default('offset'),
    limitParam: z.string().min(1).default('limit'),
    limit: pageSize,
    startOffset: z.number().int().min(0).default(0),
    /** Dot path to a boolean "more pages" flag (NetSuite `hasMore`); otherwise a short page ends. */
    hasMorePath: dotPath.optional(),
  }),
  z.strictObject({
    type: z.literal('cursor'),
    /** Dot path of the next-page token in the body; missing/null/empty ends. */
    tokenPath: dotPath,
    /** Query parameter the token is sent back in. */
    tokenParam: z.string().min(1),
    pageSizeParam: z.string().min(1).optional(),
    pageSize: pageSize.optional(),
  }),
  z.strictObject({
    type: z.literal('link-header'),
    pageSizeParam: z.string().min(1).optional(),
    pageSize: pageSize.optional(),
  }),
  z.strictObject({
    type: z.literal('odata'),
    nextLinkPath: dotPath.default('@odata.nextLink'),
    /** Sent as `Prefer: odata.maxpagesize=N` (server-driven paging, $skiptoken in the next link). */
    maxPageSize: pageSize.optional(),
  }),
]);

export const cursorFormatSchema = z.enum(['iso8601', 'iso8601-seconds', 'epoch-ms', 'epoch-s', 'date']);

export const streamCursorSchema = z.strictObject({
  /** Dot path of the record's last-modified value (updated_at style). */
  field: dotPath.min(1),
  /** Dot path of the tie-breaker id; @default the natural key when it is a single field. */
  tieBreakerField: dotPath.min(1).optional(),
  /** How the low bound is passed to the source. */
  param: z.strictObject({
    name: z.string().min(1),
    format: cursorFormatSchema.default('iso8601'),
    /** Wraps the formatted value, e.g. "LastChangeDateTime ge {value}" for an OData $filter. */
    template: z.string().includes('{value}').default('{value}'),
  }),
});

const jsonPrimitive = z.union([z.string(), z.number(), z.boolean(), z.null()]);

export const deleteSignalSchema = z.discriminatedUnion('type', [
  /** The record itself says it is deleted (soft delete flag, status value). */
  z.strictObject({ type: z.literal('field'), field: dotPath.min(1), equals: z.array(jsonPrimitive).min(1) }),
  /**
   * This stream is another stream's delete feed (e.g. GET /workers/deleted): every record it
   * returns deletes the record with the same natural key in `of`'s raw topic.
   */
  z.strictObject({ type: z.literal('feed'), of: z.string().min(1) }),
  /** No signal: a periodic full scan tombstones missing ids, unless too many vanished at once. */
  z.strictObject({
    type: z.literal('full-scan'),
    intervalMs: z.number().int().positive().default(86_400_000),
    maxVanishedShare: z.number().gt(0).max(1).default(0.05),
  }),
]);

export const streamSchema = z.strictObject({
  /** Becomes part of the topic name raw.<source>.<stream>. */
  name: z.string().regex(/^[a-z][a-z0-9_-]*$/, 'lower-case letters, digits, _ and - only'),
  /** Path relative to the source baseUrl. */
  path: z.string().startsWith('/'),
  method: z.enum(['GET', 'POST']).default('GET'),
  /** Fixed query parameters sent on every request. */
  query: z.record(z.string(), z.string()).default({}),
  headers: z.record(z.string(), z.string()).default({}),
  /** JSON body for POST streams (e.g. a SuiteQL query). */
  body: z.unknown().optional(),
  pagination: paginationSchema,
  /** Dot path to the array of records; '' when the body is the array. */
  recordSelector: dotPath.default(''),
  /** Field path(s) forming the source primary key. */
  naturalKey: z.union([dotPath.min(1), z.array(dotPath.min(1)).min(1)]),
  cursor: streamCursorSchema.optional(),
  /** Each incremental sync re-reads from cursor − lookbackMs; the overlap is deduplicated by hash. */
  lookbackMs: z.number().int().min(0).default(300_000),
  schedule: z.strictObject({ intervalMs: z.number().int().positive() }).default({ intervalMs: 300_000 }),
  /** @default 'incremental' when a cursor is declared, else 'full-refresh' */
  mode: z.enum(['incremental', 'full-refresh']).optional(),
  deleteSignal: deleteSignalSchema.optional(),
  /** Split the cursor range into windows fetched concurrently (large backfills). */
  timeWindows: z
    .strictObject({ windowMs: z.number().int().positive(), concurrency: z.number().int().min(1).default(2) })
    .optional(),
  /** Guard against a source that pages forever. */
  maxPages: z.number().int().positive().default(100_000),
});

export const sourceSchema = z.strictObject({
  /** Short name used in topics, metrics and logs, e.g. "acme-hr". */
  name: z.string().regex(/^[a-z][a-z0-9-]*$/, 'lower-case letters, digits and - only'),
  /** Kind of system, e.g. "workday", "netsuite". */
  system: z.string().min(1),
  /** Which deployment of it, e.g. "acme-hr-prod". */
  instance: z.string().min(1),
  baseUrl: httpUrl,
  auth: authSchema,
  rateLimit: rateLimitSchema.default({ requestsPerSecond: 5, maxConcurrency: 4 }),
  timeouts: timeoutsSchema.default({ requestMs: 30_000, maxResponseBytes: 32 * 1024 * 1024 }),
  retry: retryPolicySchema.default({
    initialIntervalMs: 500,
    maxIntervalMs: 30_000,
    multiplier: 2,
    maxAttempts: 6,
    maxElapsedMs: 120_000,
  }),
  circuitBreaker: circuitBreakerConfigSchema.default({
    errorThresholdPercentage: 50,
    resetTimeoutMs: 30_000,
    rollingWindowMs: 60_000,
    rollingBuckets: 10,
    volumeThreshold: 10,
  }),
});

export const connectorDefinitionSchema = z
  .strictObject({
    /** Connector name and version go into every raw envelope. */
    name: z.string().min(1),
    version: z.string().min(1),
    source: sourceSchema,
    streams: z.array(streamSchema).min(1),
  })
  .superRefine((definition, ctx) => {
    const seen = new Set<string>();
    definition.streams.forEach((stream, index) => {
      if (seen.has(stream.name)) {
        ctx.addIssue({
          code: 'custom',
          path: ['streams', index, 'name'],
          message: `duplicate stream "${stream.name}"`,
        });
      }
      seen.add(stream.name);
      const mode = stream.mode ?? (stream.cursor ? 'incremental' : 'full-refresh');
      if (mode === 'incremental' && !stream.cursor) {
        ctx.addIssue({
          code: 'custom',
          path: ['streams', index, 'cursor'],
          message: 'incremental mode needs a cursor',
        });
      }
      const keys = Array.isArray(stream.naturalKey) ? stream.naturalKey : [stream.naturalKey];
      if (stream.cursor && !stream.cursor.tieBreakerField && keys.length > 1) {
        ctx.addIssue({
          code: 'custom',
          path: ['streams', index, 'cursor', 'tieBreakerField'],
          message: 'required when the natural key has several fields',
        });
      }
      if (stream.timeWindows && !stream.cursor) {
        ctx.addIssue({
          code: 'custom',
          path: ['streams', index, 'timeWindows'],
          message: 'time windows slice a cursor range; declare a cursor',
        });
      }
    });
  });

export type ConnectorDefinitionInput = z.input<typeof connectorDefinitionSchema>;
type ParsedDefinition = z.output<typeof connectorDefinitionSchema>;
type ParsedStream = ParsedDefinition['streams'][number];

export type AuthConfig = z.output<typeof authSchema>;
export type PaginationConfig = z.output<typeof paginationSchema>;
export type CursorFormat = z.output<typeof cursorFormatSchema>;
export type DeleteSignal = z.output<typeof deleteSignalSchema>;
export type SecretRefConfig = z.output<typeof secretRefSchema>;
export type SourceDefinition = ParsedDefinition['source'];

export interface StreamCursorDefinition {
  field: string;
  tieBreakerField: string;
  param: { name: string; format: CursorFormat; template: string };
}

export interface StreamDefinition extends Omit<ParsedStream, 'naturalKey' | 'cursor' | 'mode'> {
  naturalKey: readonly string[];
  cursor: StreamCursorDefinition | undefined;
  mode: 'incremental' | 'full-refresh';
}

export interface ConnectorDefinition {
  name: string;
  version: string;
  source: SourceDefinition;
  streams: readonly StreamDefinition[];
}

/**
 * Validates a connector declaration and fills in every default. Throws CONFIG_INVALID listing
 * every problem at once, each naming the connector, the stream and the field.
 */
export function defineConnector(input: ConnectorDefinitionInput): ConnectorDefinition {
  const parsed = connectorDefinitionSchema.safeParse(input);
  if (!parsed.success) {
    const connector = nameOf(input) ?? '(unnamed)';
    const problems = parsed.error.issues.map(
      (issue) => `  - ${describePath(input, issue.path)}: ${issue.message}`,
    );
    throw new TributaryError(
      'CONFIG_INVALID',
      `connector "${connector}" is invalid:\n${problems.join('\n')}`,
      {
        details: { connector, problems: parsed.error.issues.map((i) => describePath(input, i.path)) },
      },
    );
  }
  const definition = parsed.data;
  return {
    name: definition.name,
    version: definition.version,
    source: definition.source,
    streams: definition.streams.map((stream): StreamDefinition => {
      const naturalKey = Array.isArray(stream.naturalKey) ? stream.naturalKey : [stream.naturalKey];
      const cursor = stream.cursor
        ? {
            field: stream.cursor.field,
            // superRefine guarantees a single-field key when no tie-breaker is given
            tieBreakerField: stream.cursor.tieBreakerField ?? (naturalKey[0] as string),
            param: stream.cursor.param,
          }
        : undefined;
      return {
        ...stream,
        naturalKey,
        cursor,
        mode: stream.mode ?? (cursor ? 'incremental' : 'full-refresh'),
      };
    }),
  };
}

function nameOf(input: unknown): string | undefined {
  if (typeof input === 'object' && input !== null && 'name' in input && typeof input.name === 'string') {
    return input.name;
  }
  return undefined;
}

/** streams.2.pagination.pageSize → stream "invoices": pagination.pageSize */
function describePath(input: unknown, path: readonly PropertyKey[]): string {
  if (path[0] === 'streams' && typeof path[1] === 'number') {
    const streams =
      typeof input === 'object' && input !== null ? (input as { streams?: unknown }).streams : undefined;
    const stream = Array.isArray(streams) ? (streams[path[1]] as unknown) : undefined;
    const label = nameOf(stream) ?? `#${path[1]}`;
    const rest = path.slice(2).map(String).join('.');
    return `stream "${label}"${rest ? `: ${rest}` : ''}`;
  }
  return path.length ? path.map(String).join('.') : '(root)';
}
