import { describe, expect, it } from 'vitest';
import { decodePgoutput } from '../../../producers/cdc/pgoutputDecoder.js';

/** Builds pgoutput messages byte by byte, as the server sends them. */
class Builder {
  private readonly parts: Buffer[] = [];
  byte(value: string | number): this {
    this.parts.push(Buffer.from([typeof value === 'string' ? value.charCodeAt(0) : value]));
    return this;
  }
  int16(value: number): this {
    const b = Buffer.alloc(2);
    b.writeInt16BE(value);
    this.parts.push(b);
    return this;
  }
  int32(value: number): this {
    const b = Buffer.alloc(4);
    b.writeInt32BE(value);
    this.parts.push(b);
    return this;
  }
  int64(value: bigint): this {
    const b = Buffer.alloc(8);
    b.writeBigUInt64BE(value);
    this.parts.push(b);
    return this;
  }
  string(value: string): this {
    this.parts.push(Buffer.from(`${value}\0`, 'utf8'));
    return this;
  }
  text(value: string): this {
    const bytes = Buffer.from(value, 'utf8');
    return this.byte('t').int32(bytes.length).raw(bytes);
  }
  raw(bytes: Buffer): this {
    this.parts.push(bytes);
    return this;
  }
  build(): Buffer {
    return Buffer.concat(this.parts);
  }
}

describe('decodePgoutput', () => {
  it('decodes begin and commit with LSNs as bigint and timestamps from the 2000 epoch', () => {
    const micros = BigInt(Date.UTC(2026, 10, 27, 12, 0, 0) - Date.UTC(2000, 0, 1)) * 1000n;
    expect(
      decodePgoutput(new Builder().byte('B').int64(0x1_0000_0010n).int64(micros).int32(42).build()),
    ).toEqual({
      tag: 'begin',
      finalLsn: 0x1_0000_0010n,
      commitTime: new Date('2026-11-27T12:00:00.000Z'),
      xid: 42,
    });
    const commit = decodePgoutput(new Builder().byte('C').byte(0).int64(5n).int64(9n).int64(micros).build());
    expect(commit).toMatchObject({ tag: 'commit', commitLsn: 5n, endLsn: 9n });
  });

  it('decodes a relation with identity flags and replica identity', () => {
    const message = new Builder()
      .byte('R')
      .int32(16384)
      .string('payroll')
      .string('employees')
      .byte('f')
      .int16(2)
      .byte(1)
      .string('employee_number')
      .int32(25)
      .int32(-1)
      .byte(0)
      .string('notes')
      .int32(25)
      .int32(-1)
      .build();
    expect(decodePgoutput(message)).toEqual({
      tag: 'relation',
      relation: {
        id: 16384,
        schema: 'payroll',
        table: 'employees',
        replicaIdentity: 'f',
        columns: [
          { name: 'employee_number', typeOid: 25, typeModifier: -1, identity: true },
          { name: 'notes', typeOid: 25, typeModifier: -1, identity: false },
        ],
      },
    });
  });

  it('decodes an update with the full old row, nulls and an unchanged TOASTed value', () => {
    const message = new Builder()
      .byte('U')
      .int32(7)
      .byte('O')
      .int16(3)
      .text('W000001')
      .text('long old notes')
      .byte('n')
      .byte('N')
      .int16(3)
      .text('W000001')
      .byte('u')
      .text('é unicode')
      .build();
    expect(decodePgoutput(message)).toEqual({
      tag: 'update',
      relationId: 7,
      oldKind: 'old',
      oldTuple: [
        { kind: 'text', value: 'W000001' },
        { kind: 'text', value: 'long old notes' },
        { kind: 'null' },
      ],
      newTuple: [
        { kind: 'text', value: 'W000001' },
        { kind: 'unchanged-toast' },
        { kind: 'text', value: 'é unicode' },
      ],
    });
  });

  it('decodes inserts, key-only deletes, truncates and non-transactional messages', () => {
    expect(decodePgoutput(new Builder().byte('I').int32(3).byte('N').int16(1).text('1').build())).toEqual({
      tag: 'insert',
      relationId: 3,
      newTuple: [{ kind: 'text', value: '1' }],
    });
    expect(
      decodePgoutput(new Builder().byte('D').int32(3).byte('K').int16(1).text('1').build()),
    ).toMatchObject({
      tag: 'delete',
      oldKind: 'key',
    });
    expect(decodePgoutput(new Builder().byte('T').int32(2).byte(1).int32(3).int32(4).build())).toEqual({
      tag: 'truncate',
      relationIds: [3, 4],
      cascade: true,
      restartIdentity: false,
    });
    const heartbeat = new Builder()
      .byte('M')
      .byte(0)
      .int64(77n)
      .string('tributary.heartbeat')
      .int32(2)
      .raw(Buffer.from('hi'))
      .build();
    expect(decodePgoutput(heartbeat)).toEqual({
      tag: 'message',
      transactional: false,
      lsn: 77n,
      prefix: 'tributary.heartbeat',
      content: Buffer.from('hi'),
    });
  });

  it('rejects truncated and unknown messages with a validation error instead of garbage', () => {
    expect(() =>
      decodePgoutput(new Builder().byte('I').int32(3).byte('N').int16(1).byte('t').int32(10).build()),
    ).toThrow(/cannot decode pgoutput/);
    expect(() => decodePgoutput(Buffer.from('Z'))).toThrow(/unknown message type/);
  });
});
