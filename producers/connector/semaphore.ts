import { TributaryError } from '../../platform/errors.js';

/** Counting semaphore with a FIFO queue; waiters can give up through an AbortSignal. */
export class Semaphore {
  readonly #capacity: number;
  #available: number;
  readonly #waiters: Array<{ grant: () => void }> = [];

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new TributaryError(
        'CONFIG_INVALID',
        `semaphore capacity must be a positive integer, got ${capacity}`,
      );
    }
    this.#capacity = capacity;
    this.#available = capacity;
  }

  get available(): number {
    return this.#available;
  }

  get inUse(): number {
    return this.#capacity - this.#available;
  }

  get waiting(): number {
    return this.#waiters.length;
  }

  /** Resolves once a permit is held; the caller must release() it exactly once. */
  acquire(signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    if (this.#available > 0 && this.#waiters.length === 0) {
      this.#available--;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const waiter = {
        grant: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      const onAbort = (): void => {
        const index = this.#waiters.indexOf(waiter);
        if (index >= 0) this.#waiters.splice(index, 1);
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#waiters.push(waiter);
    });
  }

  release(): void {
    const next = this.#waiters.shift();
    if (next) {
      next.grant(); // the permit passes straight to the next waiter
      return;
    }
    if (this.#available >= this.#capacity) {
      throw new TributaryError('INVALID_STATE', 'semaphore released more often than acquired');
    }
    this.#available++;
  }
}
