import { describe, expect, it } from 'vitest';
import { TributaryError } from '../../platform/errors.js';
import { Lifecycle } from '../../platform/lifecycle.js';
import { createLogger } from '../../platform/logger.js';

const log = createLogger({ level: 'silent' });

describe('Lifecycle', () => {
  it('moves created → starting → running → draining → stopped and stop() is shared', async () => {
    let drains = 0;
    const lifecycle = new Lifecycle(
      'c',
      { start: async () => undefined, drain: async () => void drains++ },
      log,
      1_000,
    );
    await lifecycle.start();
    expect(lifecycle.state).toBe('running');
    await Promise.all([lifecycle.stop(), lifecycle.stop(), lifecycle.stop()]);
    expect(drains).toBe(1);
    expect(lifecycle.history).toEqual(['created', 'starting', 'running', 'draining', 'stopped']);
  });

  it('forces the component down when draining exceeds the grace period', async () => {
    let forced = false;
    const lifecycle = new Lifecycle(
      'slow',
      {
        start: async () => undefined,
        drain: () => new Promise<void>(() => undefined),
        forceClose: async () => {
          forced = true;
        },
      },
      log,
      50,
    );
    await lifecycle.start();
    const error = await lifecycle.stop().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TributaryError);
    expect((error as TributaryError).code).toBe('SHUTDOWN_TIMEOUT');
    expect(forced).toBe(true);
    expect(lifecycle.state).toBe('stopped');
  });

  it('rejects an invalid transition', async () => {
    const lifecycle = new Lifecycle(
      'c',
      { start: async () => undefined, drain: async () => undefined },
      log,
      1_000,
    );
    await lifecycle.start();
    await expect(lifecycle.start()).rejects.toMatchObject({ code: 'INVALID_STATE' });
  });
});
