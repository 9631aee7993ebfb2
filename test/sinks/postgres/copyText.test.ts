import { describe, expect, it } from 'vitest';
import { copyField, hasNul, pgTextArrayLiteral } from '../../../sinks/postgres/copyText.js';

describe('COPY text encoding', () => {
  it('escapes backslash, tab, newline and CR, writes NULL as \\N and leaves everything else alone', () => {
    expect(copyField(null)).toBe('\\N');
    expect(copyField('plain {"a":1} ü')).toBe('plain {"a":1} ü');
    expect(copyField('a\\b\tc\nd\re')).toBe('a\\\\b\\tc\\nd\\re');
    // The literal text "\N" must not read back as NULL.
    expect(copyField('\\N')).toBe('\\\\N');
  });

  it('quotes every text[] element and escapes quotes and backslashes inside them', () => {
    expect(pgTextArrayLiteral([])).toBe('{}');
    expect(pgTextArrayLiteral(['hr-workers@1', 'NULL', 'a"b\\c', 'x,y'])).toBe(
      '{"hr-workers@1","NULL","a\\"b\\\\c","x,y"}',
    );
  });

  it('flags NUL, which PostgreSQL text cannot hold', () => {
    expect(hasNul('a\u0000b')).toBe(true);
    expect(hasNul('ab')).toBe(false);
    expect(hasNul(null)).toBe(false);
  });
});
