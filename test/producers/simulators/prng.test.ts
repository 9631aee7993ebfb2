import { describe, expect, it } from 'vitest';
import { Prng } from '../../../producers/simulators/prng.js';

describe('Prng', () => {
  it('repeats the same sequence for the same seed and differs for another seed', () => {
    const draw = (seed: number | string) => {
      const prng = new Prng(seed);
      return Array.from({ length: 20 }, () => prng.nextUint32());
    };
    expect(draw(42)).toEqual(draw(42));
    expect(draw('a')).toEqual(draw('a'));
    expect(draw(42)).not.toEqual(draw(43));
    expect(Prng.derive(1, 'workers:1').next()).not.toBe(Prng.derive(1, 'workers:2').next());
  });

  it('draws integers inside the inclusive range and covers it', () => {
    const prng = new Prng(7);
    const seen = new Set<number>();
    for (let i = 0; i < 2000; i++) {
      const value = prng.int(3, 9);
      expect(value).toBeGreaterThanOrEqual(3);
      expect(value).toBeLessThanOrEqual(9);
      seen.add(value);
    }
    expect([...seen].sort()).toEqual([3, 4, 5, 6, 7, 8, 9]);
    expect(() => prng.int(5, 4)).toThrow(RangeError);
    expect(() => prng.pick([])).toThrow(RangeError);
  });

  it('honours chance() roughly at its probability', () => {
    const prng = new Prng(1);
    let hits = 0;
    for (let i = 0; i < 10_000; i++) if (prng.chance(0.25)) hits++;
    expect(hits).toBeGreaterThan(2200);
    expect(hits).toBeLessThan(2800);
  });
});
