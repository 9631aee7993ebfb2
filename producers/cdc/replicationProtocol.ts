import type { Lsn } from './lsn.js';

/** Microseconds between the Unix epoch and PostgreSQL's epoch (2000-01-01T00:00:00Z). */
const postgresEpochMicros = 946_684_800_000_000n;

export function postgresTimestampToDate(micros: bigint): Date {
  return new Date(Number((micros + postgresEpochMicros) / 1000n));
}

function nowPostgresMicros(now: Date): bigint {
  return BigInt(now.getTime()) * 1000n - postgresEpochMicros;
}

/** A CopyData payload of the streaming replication protocol, server to client. */
export type ReplicationFrame =
  | { kind: 'xlogData'; dataStart: Lsn; walEnd: Lsn; payload: Buffer }
  | { kind: 'keepalive'; walEnd: Lsn; replyRequested: boolean };

/** Parses one CopyData payload ('w' XLogData or 'k' primary keepalive). */
export function parseReplicationFrame(frame: Buffer): ReplicationFrame {
  const tag = frame[0];
  if (tag === 0x77 /* w */) {
    return {
      kind: 'xlogData',
      dataStart: frame.readBigUInt64BE(1),
      walEnd: frame.readBigUInt64BE(9),
      payload: frame.subarray(25),
    };
  }
  if (tag === 0x6b /* k */) {
    return { kind: 'keepalive', walEnd: frame.readBigUInt64BE(1), replyRequested: frame[17] === 1 };
  }
  throw new Error(`unknown replication frame type 0x${(tag ?? 0).toString(16)}`);
}

/**
 * Standby status update ('r'). Write, flush and apply all carry the acknowledged LSN: for a
 * logical slot the server takes confirmed_flush_lsn from `flush`, and reporting a larger `write`
 * would only stop the server from sending the keepalives we use to acknowledge idle WAL.
 */
export function standbyStatusUpdate(acknowledged: Lsn, now: Date, replyRequested = false): Buffer {
  const message = Buffer.alloc(34);
  message[0] = 0x72; // r
  message.writeBigUInt64BE(acknowledged, 1);
  message.writeBigUInt64BE(acknowledged, 9);
  message.writeBigUInt64BE(acknowledged, 17);
  message.writeBigInt64BE(nowPostgresMicros(now), 25);
  message[33] = replyRequested ? 1 : 0;
  return message;
}
