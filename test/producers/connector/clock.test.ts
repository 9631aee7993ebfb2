import { describe, expect, it } from 'vitest';
import { FakeClock, systemClock } from '../../../producers/connector/clock.js';

describe('FakeClock', () => {
  it('wakes sleepers in wake-time order and only when time reaches them', async () => {
    const clock = new FakeClock(1_000);
    const woke: string[] = [];
    void clock.sleep(300).then(() => woke.push(`b@${clock.now()}`));
    void clock.sleep(100).then(() => woke.push(`a@${clock.now()}`));
    await clock.advance(99);
    expect(woke).toEqual([]);
    await clock.advance(1);
    expect(woke).toEqual(['a@1100']);
    await clock.advance(1_000);
    expect(woke).toEqual(['a@1100', 'b@1300']);
    expect(clock.now()).toBe(2_100);
  });

  it('runs sleeps scheduled by woken sleepers within the same advance', async () => {
    const clock = new FakeClock(0);
    const ticks: number[] = [];
    void (async () => {
      for (let i = 0; i < 3; i++) {
        await clock.sleep(10);
        ticks.push(clock.now());
      }
    })();
    await clock.advance(30);
    expect(ticks).toEqual([10, 20, 30]);
  });

  it('rejects a sleep when its signal aborts and forgets it', async () => {
    const clock = new FakeClock(0);
    const controller = new AbortController();
    const sleeping = clock.sleep(1_000, controller.signal);
    expect(clock.pendingSleeps).toBe(1);
    controller.abort(new Error('stop'));
    await expect(sleeping).rejects.toThrow('stop');
    expect(clock.pendingSleeps).toBe(0);
  });

  it('advanceToNext jumps exactly to the earliest sleeper', async () => {
    const clock = new FakeClock(0);
    void clock.sleep(250);
    await clock.advanceToNext();
    expect(clock.now()).toBe(250);
  });
});

describe('systemClock', () => {
  it('sleeps for real and can be aborted', async () => {
    const start = Date.now();
    await systemClock.sleep(20);
    expect(Date.now() - start).toBeGreaterThanOrEqual(15);
    const controller = new AbortController();
    const sleeping = systemClock.sleep(10_000, controller.signal);
    controller.abort(new Error('cancelled'));
    await expect(sleeping).rejects.toThrow('cancelled');
  });
});
