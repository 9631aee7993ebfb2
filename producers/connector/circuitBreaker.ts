import CircuitBreaker from 'opossum';
import { isRetryable, TributaryError } from '../../platform/errors.js';
import { HttpError } from './http.js';
import type { ConnectorMetrics } from './metrics.js';

export type CircuitState = 'closed' | 'half-open' | 'open';

/** Gauge values: 0 closed, 1 half-open, 2 open. */
export const circuitStateValue: Readonly<Record<CircuitState, number>> = {
  closed: 0,
  'half-open': 1,
  open: 2,
};

export interface CircuitBreakerOptionsInput {
  /** Failure share (percent of calls in the window) above which the circuit opens. @default 50 */
  errorThresholdPercentage?: number;
  /** Time open before one probe call is let through (half-open). @default 30000 */
  resetTimeoutMs?: number;
  /** Rolling window the error rate is computed over. @default 60000 */
  rollingWindowMs?: number;
  /** Buckets in the window (granularity of forgetting). @default 10 */
  rollingBuckets?: number;
  /** Calls in the window before the error rate counts at all. @default 10 */
  volumeThreshold?: number;
}

export type CircuitBreakerOptions = Required<CircuitBreakerOptionsInput>;

export function resolveCircuitBreakerOptions(input: CircuitBreakerOptionsInput = {}): CircuitBreakerOptions {
  const options: CircuitBreakerOptions = {
    errorThresholdPercentage: input.errorThresholdPercentage ?? 50,
    resetTimeoutMs: input.resetTimeoutMs ?? 30_000,
    rollingWindowMs: input.rollingWindowMs ?? 60_000,
    rollingBuckets: input.rollingBuckets ?? 10,
    volumeThreshold: input.volumeThreshold ?? 10,
  };
  const bad = (field: string, rule: string): never => {
    throw new TributaryError('CONFIG_INVALID', `circuit breaker: ${field} ${rule}`);
  };
  if (!(options.errorThresholdPercentage > 0 && options.errorThresholdPercentage < 100)) {
    bad('errorThresholdPercentage', 'must be between 0 and 100');
  }
  if (!(options.resetTimeoutMs > 0)) bad('resetTimeoutMs', 'must be > 0');
  if (!Number.isInteger(options.rollingBuckets) || options.rollingBuckets < 1)
    bad('rollingBuckets', 'must be >= 1');
  if (options.rollingWindowMs % options.rollingBuckets !== 0) {
    bad('rollingWindowMs', 'must be divisible by rollingBuckets');
  }
  if (!Number.isInteger(options.volumeThreshold) || options.volumeThreshold < 0)
    bad('volumeThreshold', 'must be >= 0');
  return options;
}

export interface EndpointCircuitBreaker {
  readonly source: string;
  readonly endpoint: string;
  readonly state: CircuitState;
  /** Runs the call through the breaker; while open, throws CIRCUIT_OPEN (retryable) at once. */
  execute<T>(operation: () => Promise<T>): Promise<T>;
  /**
   * Resolves once calls may go through again (closed, or half-open with the probe slot free).
   * A stream awaits this instead of failing, so only the streams on this endpoint pause.
   */
  waitUntilClosed(signal?: AbortSignal): Promise<void>;
  /** execute(), waiting out open periods instead of throwing CIRCUIT_OPEN. */
  executeWhenClosed<T>(operation: () => Promise<T>, signal?: AbortSignal): Promise<T>;
}

export interface CircuitBreakers {
  /** The breaker for one endpoint (use the stream's path template, not a full URL). */
  forEndpoint(endpoint: string): EndpointCircuitBreaker;
  /** Stops every breaker's timers. */
  shutdown(): void;
}

export interface CircuitBreakersInput {
  source: string;
  options?: CircuitBreakerOptionsInput;
  metrics?: ConnectorMetrics;
}

/**
 * Only failures that say something about the source's health count: transport errors, timeouts
 * and 5xx (the retryable ones). A 404, a validation error or a bug in our code is not the
 * endpoint being down, and a 429 is the rate limiter's business.
 */
export function countsAsCircuitFailure(error: unknown): boolean {
  if (error instanceof HttpError && error.status === 429) return false;
  return isRetryable(error);
}

/** One opossum breaker per source endpoint, its state exported as a gauge. */
export function createCircuitBreakers(input: CircuitBreakersInput): CircuitBreakers {
  const options = resolveCircuitBreakerOptions(input.options);
  const breakers = new Map<string, EndpointCircuitBreaker & { breaker: CircuitBreaker }>();

  const create = (endpoint: string): EndpointCircuitBreaker & { breaker: CircuitBreaker } => {
    const labels = { source: input.source, endpoint };
    const breaker = new CircuitBreaker<[() => Promise<unknown>], unknown>((operation) => operation(), {
      name: `${input.source}:${endpoint}`,
      timeout: false, // the HTTP client owns timeouts
      errorThresholdPercentage: options.errorThresholdPercentage,
      resetTimeout: options.resetTimeoutMs,
      rollingCountTimeout: options.rollingWindowMs,
      rollingCountBuckets: options.rollingBuckets,
      volumeThreshold: options.volumeThreshold,
      enableSnapshots: false,
      rollingPercentilesEnabled: false,
      errorFilter: (error: unknown) => !countsAsCircuitFailure(error),
    });
    const gauge = (state: CircuitState): void => {
      input.metrics?.circuitState.set(labels, circuitStateValue[state]);
    };
    gauge('closed');
    breaker.on('open', () => gauge('open'));
    breaker.on('halfOpen', () => gauge('half-open'));
    breaker.on('close', () => gauge('closed'));

    const state = (): CircuitState => (breaker.opened ? 'open' : breaker.halfOpen ? 'half-open' : 'closed');
    const canCall = (): boolean => breaker.closed || (breaker.halfOpen && breaker.pendingClose);

    const execute = async <T>(operation: () => Promise<T>): Promise<T> => {
      try {
        return (await breaker.fire(operation)) as T;
      } catch (error) {
        if (error instanceof Error && (error as { code?: unknown }).code === 'EOPENBREAKER') {
          input.metrics?.circuitRejections.inc(labels);
          throw new TributaryError('CIRCUIT_OPEN', `${input.source} ${endpoint}: circuit is ${state()}`, {
            retryable: true,
            cause: error,
            details: { source: input.source, endpoint, state: state() },
          });
        }
        throw error;
      }
    };

    const waitUntilClosed = (signal?: AbortSignal): Promise<void> => {
      signal?.throwIfAborted();
      if (canCall()) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const cleanup = (): void => {
          breaker.removeListener('halfOpen', onChange);
          breaker.removeListener('close', onChange);
          signal?.removeEventListener('abort', onAbort);
        };
        const onChange = (): void => {
          cleanup();
          resolve();
        };
        const onAbort = (): void => {
          cleanup();
          reject(signal?.reason);
        };
        breaker.on('halfOpen', onChange);
        breaker.on('close', onChange);
        signal?.addEventListener('abort', onAbort, { once: true });
      });
    };

    return {
      breaker,
      source: input.source,
      endpoint,
      get state() {
        return state();
      },
      execute,
      waitUntilClosed,
      async executeWhenClosed<T>(operation: () => Promise<T>, signal?: AbortSignal): Promise<T> {
        for (;;) {
          await waitUntilClosed(signal);
          try {
            return await execute(operation);
          } catch (error) {
            // Lost the half-open probe slot to another caller: wait for the next transition.
            if (error instanceof TributaryError && error.code === 'CIRCUIT_OPEN') continue;
            throw error;
          }
        }
      },
    };
  };

  return {
    forEndpoint(endpoint) {
      let entry = breakers.get(endpoint);
      if (!entry) {
        entry = create(endpoint);
        breakers.set(endpoint, entry);
      }
      return entry;
    },
    shutdown() {
      for (const entry of breakers.values()) entry.breaker.shutdown();
      breakers.clear();
    },
  };
}
