import { describe, expect, it } from 'vitest';
import { formatLsn, maxLsn, parseLsn } from '../../../producers/cdc/lsn.js';

describe('LSN', () => {
  it('round-trips PostgreSQL notation beyond 2^53 without floats', () => {
    for (const text of ['0/0', '0/16B3748', '16/B374D848', 'FFFFFFFF/FFFFFFFF'])
      expect(formatLsn(parseLsn(text))).toBe(text);
    expect(parseLsn('FFFFFFFF/FFFFFFFF')).toBe(2n ** 64n - 1n);
    expect(parseLsn('1/0') > parseLsn('0/FFFFFFFF')).toBe(true);
    expect(maxLsn(parseLsn('0/10'), parseLsn('0/9'))).toBe(16n);
    expect(() => parseLsn('16-B3')).toThrow(/not an LSN/);
  });
});
