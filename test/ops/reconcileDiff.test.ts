import { describe, expect, it } from 'vitest';
import { diffKeys, setChecksum } from '../../platform/ops/reconcileDiff.js';

describe('setChecksum', () => {
  it('does not depend on order, and changes with any key or value', () => {
    const pairs: [string, string][] = [
      ['a', '1'],
      ['b', '2'],
      ['c', '3'],
    ];
    const base = setChecksum(pairs);
    expect(setChecksum([...pairs].reverse())).toBe(base);
    expect(setChecksum(new Map(pairs))).toBe(base);
    expect(setChecksum([...pairs.slice(0, 2), ['c', '4']])).not.toBe(base);
    expect(setChecksum([...pairs.slice(0, 2), ['d', '3']])).not.toBe(base);
    expect(setChecksum(pairs.slice(0, 2))).not.toBe(base);
    expect(setChecksum([])).toBe('0'.repeat(64));
    // the separator keeps ("ab","c") and ("a","bc") apart
    expect(setChecksum([['ab', 'c']])).not.toBe(setChecksum([['a', 'bc']]));
  });
});

describe('diffKeys', () => {
  it('lists missing, extra and mismatched keys, sorted; null reference values compare by presence only', () => {
    const reference = new Map<string, string | null>([
      ['k3', '1'],
      ['k1', '1'],
      ['k2', '2'],
      ['k4', null],
      ['k5', '5'],
    ]);
    const actual = new Map([
      ['k1', '1'],
      ['k2', '3'],
      ['k4', 'anything'],
      ['k9', '1'],
      ['k8', '1'],
    ]);
    expect(diffKeys(reference, actual)).toEqual({
      missing: ['k3', 'k5'],
      extra: ['k8', 'k9'],
      mismatched: ['k2'],
    });
    expect(diffKeys(new Map([['x', '1']]), new Map([['x', '1']]))).toEqual({
      missing: [],
      extra: [],
      mismatched: [],
    });
  });
});
