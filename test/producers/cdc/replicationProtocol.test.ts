import { describe, expect, it } from 'vitest';
import { parseLsn } from '../../../producers/cdc/lsn.js';
import { parseReplicationFrame, standbyStatusUpdate } from '../../../producers/cdc/replicationProtocol.js';

describe('replication protocol frames', () => {
  it('writes the acknowledged LSN as write, flush and apply position', () => {
    const message = standbyStatusUpdate(parseLsn('1/20'), new Date('2000-01-01T00:00:01Z'));
    expect(message[0]).toBe('r'.charCodeAt(0));
    expect(message.readBigUInt64BE(1)).toBe(0x1_0000_0020n);
    expect(message.readBigUInt64BE(9)).toBe(0x1_0000_0020n);
    expect(message.readBigUInt64BE(17)).toBe(0x1_0000_0020n);
    expect(message.readBigInt64BE(25)).toBe(1_000_000n);
    expect(message[33]).toBe(0);
  });

  it('parses XLogData and keepalive frames', () => {
    const keepalive = Buffer.alloc(18);
    keepalive[0] = 'k'.charCodeAt(0);
    keepalive.writeBigUInt64BE(99n, 1);
    keepalive[17] = 1;
    expect(parseReplicationFrame(keepalive)).toEqual({
      kind: 'keepalive',
      walEnd: 99n,
      replyRequested: true,
    });
    const data = Buffer.concat([Buffer.from('w'), Buffer.alloc(24), Buffer.from('B')]);
    data.writeBigUInt64BE(5n, 1);
    data.writeBigUInt64BE(6n, 9);
    expect(parseReplicationFrame(data)).toEqual({
      kind: 'xlogData',
      dataStart: 5n,
      walEnd: 6n,
      payload: Buffer.from('B'),
    });
  });
});
