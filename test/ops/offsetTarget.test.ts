import { describe, expect, it } from 'vitest';
import { TributaryError } from '../../platform/errors.js';
import { parseOffsetsSpec, resolveOffsetTarget } from '../../platform/ops/offsetTarget.js';
import { clampOffset, planRow, planTotals } from '../../platform/ops/replayPlan.js';

describe('offset targets', () => {
  it('parses topic:partition=offset lists, dotted topic names included', () => {
    const offsets = parseOffsetsSpec('raw.hr.workers:0=10, raw.hr.workers:2=0,canonical.employee:1=99');
    expect(offsets.get('raw.hr.workers')).toEqual(
      new Map([
        [0, 10n],
        [2, 0n],
      ]),
    );
    expect(offsets.get('canonical.employee')?.get(1)).toBe(99n);
  });

  it('rejects malformed and duplicate entries, naming the flag', () => {
    expect(() => parseOffsetsSpec('raw.x:0')).toThrow(/--to-offsets: "raw.x:0"/);
    expect(() => parseOffsetsSpec('raw.x:0=-1')).toThrow(TributaryError);
    expect(() => parseOffsetsSpec('raw.x:0=1,raw.x:0=2')).toThrow(/given twice/);
  });

  it('needs exactly one target, and an instant with a zone', () => {
    expect(() => resolveOffsetTarget({})).toThrow(/exactly one/);
    expect(() => resolveOffsetTarget({ toEarliest: true, toOffsets: 'a.b:0=1' })).toThrow(/exactly one/);
    expect(() => resolveOffsetTarget({ toTimestamp: '2026-11-27T10:00:00' })).toThrow(/with a zone/);
    expect(resolveOffsetTarget({ toTimestamp: '2026-11-27T10:00:00+01:00' })).toEqual({
      kind: 'timestamp',
      at: new Date('2026-11-27T09:00:00Z'),
    });
    expect(resolveOffsetTarget({ toEarliest: true })).toEqual({ kind: 'earliest' });
  });
});

describe('replay plan', () => {
  const bounds = { low: 5n, high: 20n };

  it('counts the offsets re-read between target and the committed position', () => {
    const row = planRow({ topic: 't', partition: 0, current: 18n, kafkaCommitted: 18n, target: 5n, bounds });
    expect(row.replayOffsets).toBe(13n);
    expect(row.skipOffsets).toBe(0n);
  });

  it('clamps targets into the log and treats "nothing committed" as the log start', () => {
    expect(clampOffset(0n, bounds)).toBe(5n);
    expect(clampOffset(99n, bounds)).toBe(20n);
    const fresh = planRow({
      topic: 't',
      partition: 0,
      current: null,
      kafkaCommitted: null,
      target: 12n,
      bounds,
    });
    expect(fresh.replayOffsets).toBe(0n);
    expect(fresh.skipOffsets).toBe(7n);
  });

  it('sums rows without floats', () => {
    const rows = [
      planRow({ topic: 't', partition: 0, current: 20n, kafkaCommitted: null, target: 5n, bounds }),
      planRow({ topic: 't', partition: 1, current: 6n, kafkaCommitted: null, target: 10n, bounds }),
    ];
    expect(planTotals(rows)).toEqual({ replayOffsets: 15n, skipOffsets: 4n });
  });
});
