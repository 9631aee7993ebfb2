/**
 * One error base for the whole platform. Every error carries a code from a closed set and says,
 * where it is created, whether retrying can help — retry loops walk the cause chain for that flag
 * instead of matching message strings.
 */
export const errorCodes = [
  'CONFIG_INVALID',
  'DEPENDENCY_MISSING',
  'STACK_START_FAILED',
  'MIGRATION_CHECKSUM_MISMATCH',
  'MIGRATION_FAILED',
  'TOPIC_SPEC_INVALID',
  'TOPIC_DRIFT',
  'KAFKA_UNAVAILABLE',
  'DATABASE_UNAVAILABLE',
  'DATABASE_REJECTED',
  'HTTP_ERROR',
  'AUTH_FAILED',
  'CIRCUIT_OPEN',
  'RETRIES_EXHAUSTED',
  'VALIDATION_FAILED',
  'MAPPING_FAILED',
  'FX_RATE_MISSING',
  'CROSSWALK_MISSING',
  'NORMALIZATION_FAILED',
  'SHUTDOWN_TIMEOUT',
  'INVALID_STATE',
  'SCHEMA_INCOMPATIBLE',
  'NOT_FOUND',
  'USAGE',
] as const;

export type ErrorCode = (typeof errorCodes)[number];

export interface TributaryErrorOptions {
  cause?: unknown;
  /** Whether the same operation may succeed if tried again. @default false */
  retryable?: boolean;
  /** Structured context for logs; must never contain secrets. */
  details?: Record<string, unknown>;
}

export class TributaryError extends Error {
  readonly code: ErrorCode;
  readonly retryable: boolean;
  readonly details: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, options: TributaryErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'TributaryError';
    this.code = code;
    this.retryable = options.retryable ?? false;
    this.details = options.details ?? {};
  }
}

/** Raised when every attempt of a retried operation failed; keeps each attempt's error. */
export class RetriesExhaustedError extends TributaryError {
  readonly attempts: readonly unknown[];
  constructor(message: string, attempts: readonly unknown[]) {
    super('RETRIES_EXHAUSTED', message, { cause: attempts.at(-1), retryable: false });
    this.name = 'RetriesExhaustedError';
    this.attempts = attempts;
  }
}

/**
 * Walks the cause chain: the first error that states retryability decides. Programmer errors
 * (TypeError, RangeError, SyntaxError) are never retryable.
 */
export function isRetryable(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 10 && current !== undefined && current !== null; depth++) {
    if (current instanceof TypeError || current instanceof RangeError || current instanceof SyntaxError) {
      return false;
    }
    if (current instanceof TributaryError) return current.retryable;
    if (typeof current === 'object' && 'retriable' in current && typeof current.retriable === 'boolean') {
      return current.retriable; // kafkajs errors
    }
    current = current instanceof Error ? current.cause : undefined;
  }
  return false;
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
