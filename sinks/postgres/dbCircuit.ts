import CircuitBreaker from 'opossum';
import { isRetryable } from '../../platform/errors.js';
import type { Logger } from '../../platform/logger.js';

export type CircuitState = 'closed' | 'half-open' | 'open';

export interface DbCircuit {
  /** Runs `fn` through the breaker; rejects at once with code EOPENBREAKER while open. */
  fire<T>(fn: () => Promise<T>): Promise<T>;
  readonly state: CircuitState;
  shutdown(): void;
}

export interface DbCircuitOptions {
  resetTimeoutMs: number;
  errorThresholdPercentage: number;
  volumeThreshold: number;
  log: Logger;
  onStateChange: (state: CircuitState) => void;
  /** Called when the breaker lets a trial through, so a circuit opened by now-idle work still closes. */
  probe: () => Promise<void>;
}

export function isCircuitOpenError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && error.code === 'EOPENBREAKER';
}

/**
 * The database circuit. Only retryable errors (database unavailable) count as failures: a row the
 * database rejects or an offset conflict says nothing about the database's health.
 */
export function createDbCircuit(options: DbCircuitOptions): DbCircuit {
  const breaker = new CircuitBreaker<[() => Promise<unknown>], unknown>((fn) => fn(), {
    timeout: false,
    resetTimeout: options.resetTimeoutMs,
    errorThresholdPercentage: options.errorThresholdPercentage,
    volumeThreshold: options.volumeThreshold,
    rollingCountTimeout: 10_000,
    errorFilter: (error: unknown) => !isRetryable(error),
  });
  let state: CircuitState = 'closed';
  const set = (next: CircuitState): void => {
    if (next === state) return;
    state = next;
    options.log.warn({ circuit: next }, 'database circuit');
    options.onStateChange(next);
  };
  breaker.on('open', () => set('open'));
  breaker.on('close', () => set('closed'));
  breaker.on('halfOpen', () => {
    set('half-open');
    breaker.fire(() => options.probe()).catch(() => undefined);
  });
  return {
    fire: <T>(fn: () => Promise<T>) => breaker.fire(fn) as Promise<T>,
    get state() {
      return state;
    },
    shutdown: () => breaker.shutdown(),
  };
}
