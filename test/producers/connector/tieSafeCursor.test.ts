import { describe, expect, it } from 'vitest';
import {
  advanceCursor,
  advanceCursorOver,
  compareCursors,
  compareIds,
  cursorEpochMs,
  cursorOfRecord,
  formatCursorParam,
  isAfterCursor,
  normalizeTimestamp,
  parseCursor,
  serializeCursor,
  syncLowerBoundMs,
  type TieSafeCursor,
} from '../../../producers/connector/tieSafeCursor.js';
import { seededRandom } from './helpers/prng.js';

describe('normalizeTimestamp', () => {
  it('brings ISO 8601 variants, dates, epoch numbers and MS JSON dates to one UTC form', () => {
    expect(normalizeTimestamp('2026-11-27T10:15:30Z')).toBe('2026-11-27T10:15:30.000000000Z');
    expect(normalizeTimestamp('2026-11-27T11:15:30.5+01:00')).toBe('2026-11-27T10:15:30.500000000Z');
    expect(normalizeTimestamp('2026-11-27 10:15:30.123456789')).toBe('2026-11-27T10:15:30.123456789Z');
    expect(normalizeTimestamp('2026-11-27T05:15:30-0500')).toBe('2026-11-27T10:15:30.000000000Z');
    expect(normalizeTimestamp('2026-11-27')).toBe('2026-11-27T00:00:00.000000000Z');
    expect(normalizeTimestamp(1_795_774_530_000)).toBe('2026-11-27T10:15:30.000000000Z');
    expect(normalizeTimestamp(1_795_774_530)).toBe('2026-11-27T10:15:30.000000000Z');
    expect(normalizeTimestamp('/Date(1795774530000)/')).toBe('2026-11-27T10:15:30.000000000Z');
  });
  it('keeps microseconds so they still order', () => {
    expect(
      normalizeTimestamp('2026-01-01T00:00:00.000001Z') < normalizeTimestamp('2026-01-01T00:00:00.000002Z'),
    ).toBe(true);
  });
  it('rejects what it cannot read', () => {
    for (const bad of ['27/11/2026', '2026-02-30', 'yesterday', null, undefined, {}, Number.NaN]) {
      expect(() => normalizeTimestamp(bad)).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED' }));
    }
  });
  it('string order equals instant order (randomised)', () => {
    const random = seededRandom(11);
    for (let i = 0; i < 500; i++) {
      const a = Math.floor(random() * 4e12);
      const b = Math.floor(random() * 4e12);
      const offsetA = Math.floor(random() * 24) - 12;
      const shown = new Date(a + offsetA * 3_600_000).toISOString().replace('Z', '');
      const sign = offsetA >= 0 ? '+' : '-';
      const withOffset = `${shown}${sign}${String(Math.abs(offsetA)).padStart(2, '0')}:00`;
      const na = normalizeTimestamp(withOffset);
      const nb = normalizeTimestamp(new Date(b).toISOString());
      expect(na < nb).toBe(a < b);
    }
  });
});

describe('compareIds and compareCursors', () => {
  it('orders numeric ids numerically, others by code units', () => {
    expect(compareIds('9', '10')).toBeLessThan(0);
    expect(compareIds('10', '9')).toBeGreaterThan(0);
    expect(compareIds('abc', 'abd')).toBeLessThan(0);
    expect(compareIds('007', '7')).not.toBe(0);
    expect(compareIds('x', 'x')).toBe(0);
  });
  it('breaks timestamp ties by id', () => {
    const t = normalizeTimestamp('2026-01-01T00:00:00Z');
    expect(compareCursors({ updatedAt: t, id: '2' }, { updatedAt: t, id: '10' })).toBeLessThan(0);
  });
  it('is a total order: antisymmetric and transitive (randomised)', () => {
    const random = seededRandom(3);
    const stamps = ['2026-01-01T00:00:00Z', '2026-01-01T00:00:01Z', '2026-01-02T00:00:00Z'].map(
      normalizeTimestamp,
    );
    const ids = ['1', '2', '10', 'a', 'b', '002'];
    const pick = <T>(xs: T[]): T => xs[Math.floor(random() * xs.length)] as T;
    const cursor = (): TieSafeCursor => ({ updatedAt: pick(stamps), id: pick(ids) });
    for (let i = 0; i < 2_000; i++) {
      const [a, b, c] = [cursor(), cursor(), cursor()];
      expect(Math.sign(compareCursors(a, b))).toBe(-Math.sign(compareCursors(b, a)) || 0);
      if (compareCursors(a, b) <= 0 && compareCursors(b, c) <= 0)
        expect(compareCursors(a, c)).toBeLessThanOrEqual(0);
    }
  });
});

describe('advancing', () => {
  const fields = { field: 'updated_at', tieBreakerField: 'id' };

  it('never moves backwards, whatever order records arrive in (property)', () => {
    const random = seededRandom(5);
    for (let run = 0; run < 200; run++) {
      const records = Array.from({ length: 20 }, () => ({
        id: Math.floor(random() * 50),
        updated_at: new Date(Date.UTC(2026, 0, 1) + Math.floor(random() * 5) * 1000).toISOString(),
      }));
      let cursor: TieSafeCursor | null = null;
      let previous: TieSafeCursor | null = null;
      for (const record of records) {
        cursor = advanceCursor(cursor, cursorOfRecord(record, fields));
        if (previous) expect(compareCursors(cursor, previous)).toBeGreaterThanOrEqual(0);
        previous = cursor;
      }
      // The result is the maximum, independent of arrival order.
      const shuffled = [...records].sort(() => random() - 0.5);
      expect(advanceCursorOver(null, shuffled, fields)).toEqual(cursor);
      for (const record of records) expect(isAfterCursor(cursorOfRecord(record, fields), cursor)).toBe(false);
    }
  });

  it('re-reading from cursor − lookback (inclusive) covers every record sharing the boundary timestamp', () => {
    const stamp = '2026-03-01T12:00:00.000Z';
    const page1 = [
      { id: 1, updated_at: '2026-03-01T11:59:00.000Z' },
      { id: 2, updated_at: stamp },
      { id: 3, updated_at: stamp },
    ];
    const cursor = advanceCursorOver(null, page1, fields) as TieSafeCursor;
    expect(cursor).toEqual({ updatedAt: normalizeTimestamp(stamp), id: '3' });
    // Record 4 with the same timestamp was committed after the first sync read the boundary.
    const lateTie = { id: 4, updated_at: stamp };
    const lowerBound = syncLowerBoundMs(cursor, 0);
    expect(Date.parse(lateTie.updated_at) >= lowerBound).toBe(true); // the inclusive filter returns it
    expect(isAfterCursor(cursorOfRecord(lateTie, fields), cursor)).toBe(true);
    expect(syncLowerBoundMs(cursor, 60_000)).toBe(Date.parse(stamp) - 60_000);
    expect(cursorEpochMs(cursor)).toBe(Date.parse(stamp));
  });
});

describe('formatCursorParam', () => {
  const ms = Date.parse('2026-11-27T10:15:30.987Z');
  it('formats and always rounds down', () => {
    expect(formatCursorParam(ms, 'iso8601')).toBe('2026-11-27T10:15:30.987Z');
    expect(formatCursorParam(ms, 'iso8601-seconds')).toBe('2026-11-27T10:15:30Z');
    expect(formatCursorParam(ms, 'epoch-ms')).toBe(String(ms));
    expect(formatCursorParam(ms, 'epoch-s')).toBe(String(Math.floor(ms / 1000)));
    expect(formatCursorParam(ms, 'date')).toBe('2026-11-27');
    expect(formatCursorParam(ms, 'iso8601-seconds', 'LastChangeDateTime ge {value}')).toBe(
      'LastChangeDateTime ge 2026-11-27T10:15:30Z',
    );
  });
});

describe('serialisation', () => {
  it('round-trips and rejects malformed state', () => {
    const cursor = { updatedAt: normalizeTimestamp('2026-01-01T00:00:00Z'), id: '42' };
    expect(parseCursor(serializeCursor(cursor))).toEqual(cursor);
    expect(() => parseCursor('{"updatedAt":"2026-01-01","id":"1"}')).toThrow(/wrong shape/);
    expect(() => parseCursor('nope')).toThrow(/not JSON/);
  });
});
