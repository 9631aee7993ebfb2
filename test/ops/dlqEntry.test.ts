import { describe, expect, it } from 'vitest';
import { deadLetterHeaders, legacySinkDlqHeaders } from '../../platform/deadLetterHeaders.js';
import { TributaryError } from '../../platform/errors.js';
import { originalKey, parseDlqEntry, redriveHeaders } from '../../platform/ops/dlqEntry.js';
import { decideRedrives, parseOffsetRangeSpec, resolveDlqSelector } from '../../platform/ops/dlqSelection.js';
import {
  addOffsets,
  containsOffset,
  decodeLedgerValue,
  encodeLedgerValue,
} from '../../platform/ops/redriveLedger.js';
import { deadLetterRecord } from '../../processors/runtime/deadLetter.js';

function processorEntry(offset: string, key: string | null, attempts = 1) {
  const record = deadLetterRecord({
    dlqTopic: 'dlq.processor',
    stage: 'map',
    topic: 'raw.hr.workers',
    partition: 2,
    message: {
      key: key === null ? null : Buffer.from(key),
      value: Buffer.from('{"bad":true}'),
      offset: '41',
      timestamp: '0',
      attributes: 0,
      headers: { 'tributary.content-hash': 'abc', [deadLetterHeaders.attempts]: String(attempts - 1) },
    },
    error: new TributaryError('MAPPING_FAILED', 'no employee id'),
    attempts: 1,
  });
  return parseDlqEntry({
    topic: 'dlq.processor',
    partition: 0,
    offset,
    timestamp: '1764237600000',
    key: Buffer.from(record.key),
    value: record.value,
    headers: record.headers,
  });
}

describe('DLQ entries', () => {
  it('reads the processor headers written by deadLetterRecord', () => {
    const entry = processorEntry('7', 'hr-1/workers/42', 2);
    expect(entry).toMatchObject({
      dialect: 'tributary',
      dlqOffset: 7n,
      errorCode: 'MAPPING_FAILED',
      error: 'no employee id',
      stage: 'map',
      originTopic: 'raw.hr.workers',
      originPartition: 2,
      originOffset: 41n,
      attempts: 2,
    });
    expect(entry.failedAt).toMatch(/^\d{4}-/);
  });

  it("reads the sink's records: today's headers, and the names it wrote before", () => {
    const sinkHeaders = {
      error: 'new row violates check constraint',
      errorCode: 'DATABASE_REJECTED',
      sqlstate: '23514',
      stage: 'sink-write',
      topic: 'canonical.employee',
      partition: '4',
      offset: '17',
      attempts: '1',
    };
    for (const [dialect, names] of [
      ['tributary', deadLetterHeaders],
      ['legacy-sink', legacySinkDlqHeaders],
    ] as const) {
      const entry = parseDlqEntry({
        topic: 'dlq.sink',
        partition: 1,
        offset: '3',
        timestamp: '0',
        key: Buffer.from('id-1'),
        value: null,
        headers: Object.fromEntries(
          Object.entries(sinkHeaders).map(([field, value]) => [
            names[field as keyof typeof sinkHeaders],
            value,
          ]),
        ),
      });
      expect(entry, dialect).toMatchObject({
        dialect,
        error: 'new row violates check constraint',
        sqlstate: '23514',
        stage: 'sink-write',
        originTopic: 'canonical.employee',
        originPartition: 4,
        originOffset: 17n,
        attempts: 1,
      });
      expect(originalKey(entry)?.toString()).toBe('id-1');
    }
  });

  it('redrives with the original headers and the attempt count, without DLQ bookkeeping', () => {
    const headers = redriveHeaders(processorEntry('7', 'k', 3));
    expect(headers['tributary.content-hash']?.toString()).toBe('abc');
    expect(headers[deadLetterHeaders.attempts]?.toString()).toBe('3');
    expect(headers[deadLetterHeaders.error]).toBeUndefined();
    expect(headers[deadLetterHeaders.topic]).toBeUndefined();
    expect(headers['tributary.dlq.redriven-from']?.toString()).toBe('dlq.processor/0/7');
  });

  it('turns the synthetic key of a keyless original back into no key', () => {
    expect(originalKey(processorEntry('1', null))).toBeNull();
    expect(originalKey(processorEntry('1', 'hr-1/workers/42'))?.toString()).toBe('hr-1/workers/42');
  });
});

describe('redrive selection and ledger', () => {
  it('merges offsets into ranges, adjacent ones included', () => {
    const ranges = addOffsets(addOffsets([], [5n, 3n, 4n, 9n]), [10n, 7n]);
    expect(ranges).toEqual([
      [3n, 5n],
      [7n, 7n],
      [9n, 10n],
    ]);
    expect(containsOffset(ranges, 4n)).toBe(true);
    expect(containsOffset(ranges, 6n)).toBe(false);
    const decoded = decodeLedgerValue(
      'k',
      encodeLedgerValue(ranges, { id: 'r', records: 2, at: new Date(0) }),
    );
    expect(decoded.ranges).toEqual(ranges);
    expect(decoded.value.highestRedriven).toBe('10');
  });

  it('parses selectors and never picks an entry twice', () => {
    expect(parseOffsetRangeSpec('0:3-5')).toEqual({ kind: 'offsets', partition: 0, from: 3n, to: 5n });
    expect(parseOffsetRangeSpec('1:4')).toEqual({ kind: 'offsets', partition: 1, from: 4n, to: 4n });
    expect(() => parseOffsetRangeSpec('0:5-3')).toThrow(/ends before/);
    expect(() => resolveDlqSelector({ all: true, errorCode: 'X' })).toThrow(/exactly one/);
    const entries = ['3', '4', '5', '6'].map((offset) => processorEntry(offset, `k${offset}`));
    const decisions = decideRedrives(
      entries,
      parseOffsetRangeSpec('0:4-6'),
      new Map([[0, [[4n, 4n]] as const]]),
      (entry) => entry.dlqOffset === 6n,
    );
    expect(decisions.map((d) => [d.entry.dlqOffset, d.action])).toEqual([
      [4n, 'already-redriven'],
      [5n, 'redrive'],
      [6n, 'superseded'],
    ]);
    expect(decideRedrives(entries, { kind: 'errorCode', code: 'OTHER' }, new Map(), () => false)).toEqual([]);
  });
});
