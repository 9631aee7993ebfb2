import { TributaryError } from './errors.js';
import type { Logger } from './logger.js';

/**
 * Every long-lived component moves through these states. Invalid transitions throw, stop() is
 * idempotent (all callers share one promise), and stopping has a grace deadline after which the
 * component is forced down.
 */
export type LifecycleState = 'created' | 'starting' | 'running' | 'draining' | 'stopped' | 'failed';

const allowed: Record<LifecycleState, readonly LifecycleState[]> = {
  created: ['starting', 'stopped'],
  starting: ['running', 'draining', 'failed'],
  running: ['draining', 'failed'],
  draining: ['stopped', 'failed'],
  stopped: [],
  failed: ['stopped'],
};

export interface LifecycleHooks {
  /** Bring the component up (connect, subscribe). */
  start(): Promise<void>;
  /** Stop intake, flush, commit and close. Must finish within the grace period. */
  drain(): Promise<void>;
  /** Called after the grace period ran out: close connections without flushing. */
  forceClose?(): Promise<void>;
}

export class Lifecycle {
  private current: LifecycleState = 'created';
  private stopPromise: Promise<void> | undefined;
  readonly history: LifecycleState[] = ['created'];

  constructor(
    private readonly name: string,
    private readonly hooks: LifecycleHooks,
    private readonly log: Logger,
    private readonly graceMs: number,
  ) {}

  get state(): LifecycleState {
    return this.current;
  }

  private transition(next: LifecycleState): void {
    if (!allowed[this.current].includes(next)) {
      throw new TributaryError('INVALID_STATE', `${this.name}: cannot go from ${this.current} to ${next}`);
    }
    this.current = next;
    this.history.push(next);
    this.log.info({ component: this.name, state: next }, 'lifecycle');
  }

  async start(): Promise<void> {
    this.transition('starting');
    try {
      await this.hooks.start();
    } catch (error) {
      this.transition('failed');
      throw error;
    }
    if (this.current === 'starting') this.transition('running');
  }

  stop(): Promise<void> {
    this.stopPromise ??= this.doStop();
    return this.stopPromise;
  }

  private async doStop(): Promise<void> {
    if (this.current === 'created') {
      this.transition('stopped');
      return;
    }
    if (this.current === 'failed') {
      this.transition('stopped');
      return;
    }
    this.transition('draining');
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), this.graceMs);
    });
    try {
      const outcome = await Promise.race([this.hooks.drain().then(() => 'drained' as const), deadline]);
      if (outcome === 'timeout') {
        this.log.error(
          { component: this.name, graceMs: this.graceMs },
          'drain exceeded grace period; forcing',
        );
        await this.hooks.forceClose?.();
        this.transition('failed');
        this.transition('stopped');
        throw new TributaryError('SHUTDOWN_TIMEOUT', `${this.name} did not drain within ${this.graceMs} ms`);
      }
      this.transition('stopped');
    } catch (error) {
      if (this.current === 'draining') {
        this.transition('failed');
        this.transition('stopped');
      }
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }
}

/**
 * Installs SIGTERM/SIGINT handlers that stop the given components once; a second signal exits
 * at once. Returns a function that removes the handlers.
 */
export function onShutdownSignal(log: Logger, stop: () => Promise<void>): () => void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals): void => {
    if (stopping) {
      log.warn({ signal }, 'second signal: exiting now');
      process.exit(130);
    }
    stopping = true;
    log.info({ signal }, 'shutdown requested');
    stop().then(
      () => process.exit(0),
      (error: unknown) => {
        log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', handler);
  process.on('SIGINT', handler);
  return () => {
    process.off('SIGTERM', handler);
    process.off('SIGINT', handler);
  };
}
