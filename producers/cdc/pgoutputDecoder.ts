import { TributaryError } from '../../platform/errors.js';
import type { Lsn } from './lsn.js';
import { postgresTimestampToDate } from './replicationProtocol.js';

export interface RelationColumn {
  name: string;
  typeOid: number;
  typeModifier: number;
  /** Part of the replica identity (with REPLICA IDENTITY FULL: every column). */
  identity: boolean;
}

export interface Relation {
  id: number;
  schema: string;
  table: string;
  /** d = default (primary key), n = nothing, f = full, i = index. */
  replicaIdentity: 'd' | 'n' | 'f' | 'i';
  columns: RelationColumn[];
}

/**
 * One column of a tuple as pgoutput sends it. `unchanged-toast` is a TOASTed value the UPDATE did
 * not touch: pgoutput does not send it, and it must never be published as a null.
 */
export type TupleValue =
  | { kind: 'null' }
  | { kind: 'unchanged-toast' }
  | { kind: 'text'; value: string }
  | { kind: 'binary'; value: Buffer };

export type PgoutputMessage =
  | { tag: 'begin'; finalLsn: Lsn; commitTime: Date; xid: number }
  | { tag: 'commit'; commitLsn: Lsn; endLsn: Lsn; commitTime: Date }
  | { tag: 'origin'; lsn: Lsn; name: string }
  | { tag: 'relation'; relation: Relation }
  | { tag: 'type'; typeOid: number; schema: string; name: string }
  | { tag: 'insert'; relationId: number; newTuple: TupleValue[] }
  | {
      tag: 'update';
      relationId: number;
      /** 'key': only replica identity columns; 'old': the whole old row (REPLICA IDENTITY FULL). */
      oldKind: 'key' | 'old' | null;
      oldTuple: TupleValue[] | null;
      newTuple: TupleValue[];
    }
  | { tag: 'delete'; relationId: number; oldKind: 'key' | 'old'; oldTuple: TupleValue[] }
  | { tag: 'truncate'; relationIds: number[]; cascade: boolean; restartIdentity: boolean }
  | { tag: 'message'; transactional: boolean; lsn: Lsn; prefix: string; content: Buffer };

/** Sequential reader over one pgoutput message. */
class Reader {
  private offset = 0;
  constructor(private readonly buffer: Buffer) {}
  uint8(): number {
    const value = this.buffer.readUInt8(this.offset);
    this.offset += 1;
    return value;
  }
  int16(): number {
    const value = this.buffer.readInt16BE(this.offset);
    this.offset += 2;
    return value;
  }
  int32(): number {
    const value = this.buffer.readInt32BE(this.offset);
    this.offset += 4;
    return value;
  }
  uint32(): number {
    const value = this.buffer.readUInt32BE(this.offset);
    this.offset += 4;
    return value;
  }
  uint64(): bigint {
    const value = this.buffer.readBigUInt64BE(this.offset);
    this.offset += 8;
    return value;
  }
  string(): string {
    const end = this.buffer.indexOf(0, this.offset);
    if (end < 0) throw new RangeError('pgoutput: unterminated string');
    const value = this.buffer.toString('utf8', this.offset, end);
    this.offset = end + 1;
    return value;
  }
  bytes(length: number): Buffer {
    const value = this.buffer.subarray(this.offset, this.offset + length);
    if (value.length !== length) throw new RangeError('pgoutput: truncated message');
    this.offset += length;
    return value;
  }
  tuple(): TupleValue[] {
    const count = this.int16();
    const values: TupleValue[] = [];
    for (let i = 0; i < count; i++) {
      const kind = String.fromCharCode(this.uint8());
      if (kind === 'n') values.push({ kind: 'null' });
      else if (kind === 'u') values.push({ kind: 'unchanged-toast' });
      else if (kind === 't') values.push({ kind: 'text', value: this.bytes(this.int32()).toString('utf8') });
      else if (kind === 'b') values.push({ kind: 'binary', value: Buffer.from(this.bytes(this.int32())) });
      else throw new RangeError(`pgoutput: unknown tuple value kind "${kind}"`);
    }
    return values;
  }
}

function relationOf(reader: Reader): Relation {
  const id = reader.uint32();
  const schema = reader.string();
  const table = reader.string();
  const identity = String.fromCharCode(reader.uint8());
  const count = reader.int16();
  const columns: RelationColumn[] = [];
  for (let i = 0; i < count; i++) {
    const flags = reader.uint8();
    columns.push({
      identity: (flags & 1) === 1,
      name: reader.string(),
      typeOid: reader.uint32(),
      typeModifier: reader.int32(),
    });
  }
  if (identity !== 'd' && identity !== 'n' && identity !== 'f' && identity !== 'i') {
    throw new RangeError(`pgoutput: unknown replica identity "${identity}"`);
  }
  return { id, schema, table, replicaIdentity: identity, columns };
}

/**
 * Decodes pgoutput protocol version 1 messages (PostgreSQL 10+). Pure: relation bookkeeping is
 * the caller's, so a decoder has no state to lose across reconnects.
 */
export function decodePgoutput(payload: Buffer): PgoutputMessage {
  try {
    const reader = new Reader(payload);
    const tag = String.fromCharCode(reader.uint8());
    switch (tag) {
      case 'B': {
        const finalLsn = reader.uint64();
        const commitTime = postgresTimestampToDate(reader.uint64());
        return { tag: 'begin', finalLsn, commitTime, xid: reader.uint32() };
      }
      case 'C': {
        reader.uint8(); // flags, unused
        const commitLsn = reader.uint64();
        const endLsn = reader.uint64();
        return { tag: 'commit', commitLsn, endLsn, commitTime: postgresTimestampToDate(reader.uint64()) };
      }
      case 'O':
        return { tag: 'origin', lsn: reader.uint64(), name: reader.string() };
      case 'R':
        return { tag: 'relation', relation: relationOf(reader) };
      case 'Y':
        return { tag: 'type', typeOid: reader.uint32(), schema: reader.string(), name: reader.string() };
      case 'I': {
        const relationId = reader.uint32();
        reader.uint8(); // 'N'
        return { tag: 'insert', relationId, newTuple: reader.tuple() };
      }
      case 'U': {
        const relationId = reader.uint32();
        let marker = String.fromCharCode(reader.uint8());
        let oldKind: 'key' | 'old' | null = null;
        let oldTuple: TupleValue[] | null = null;
        if (marker === 'K' || marker === 'O') {
          oldKind = marker === 'K' ? 'key' : 'old';
          oldTuple = reader.tuple();
          marker = String.fromCharCode(reader.uint8());
        }
        if (marker !== 'N') throw new RangeError(`pgoutput: update without new tuple (marker ${marker})`);
        return { tag: 'update', relationId, oldKind, oldTuple, newTuple: reader.tuple() };
      }
      case 'D': {
        const relationId = reader.uint32();
        const marker = String.fromCharCode(reader.uint8());
        return {
          tag: 'delete',
          relationId,
          oldKind: marker === 'K' ? 'key' : 'old',
          oldTuple: reader.tuple(),
        };
      }
      case 'T': {
        const count = reader.int32();
        const options = reader.uint8();
        const relationIds: number[] = [];
        for (let i = 0; i < count; i++) relationIds.push(reader.uint32());
        return {
          tag: 'truncate',
          relationIds,
          cascade: (options & 1) === 1,
          restartIdentity: (options & 2) === 2,
        };
      }
      case 'M': {
        const transactional = (reader.uint8() & 1) === 1;
        const lsn = reader.uint64();
        const prefix = reader.string();
        const content = Buffer.from(reader.bytes(reader.int32()));
        return { tag: 'message', transactional, lsn, prefix, content };
      }
      default:
        throw new RangeError(`pgoutput: unknown message type "${tag}"`);
    }
  } catch (error) {
    throw new TributaryError('VALIDATION_FAILED', `cannot decode pgoutput message: ${String(error)}`, {
      cause: error,
    });
  }
}
