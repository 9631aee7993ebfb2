import { createRequire } from 'node:module';
import type { Duplex } from 'node:stream';
import pg from 'pg';
import { TributaryError } from '../../platform/errors.js';
import { formatLsn, type Lsn, parseLsn } from './lsn.js';
import { standbyStatusUpdate } from './replicationProtocol.js';

/** pg-copy-streams' CopyBoth query (its bundled types only declare `from` and `to`). */
type CopyBothStream = Duplex & pg.Submittable;
const require = createRequire(import.meta.url);
const copyStreams = require('pg-copy-streams') as {
  both: (
    text: string,
    options: { alignOnCopyDataFrame: boolean; readableObjectMode: boolean; readableHighWaterMark: number },
  ) => CopyBothStream;
};

/** Text values exactly as PostgreSQL prints them: the same form pgoutput sends. */
export const rawTextTypes: pg.CustomTypesConfig = {
  getTypeParser: (() => (value: string) => value) as unknown as pg.CustomTypesConfig['getTypeParser'],
};

export interface CreatedSlot {
  consistentPoint: Lsn;
  /** Exported snapshot: valid until this connection runs its next command. */
  snapshotName: string;
}

/**
 * A walsender connection (`replication=database`). We speak the streaming protocol ourselves over
 * pg's CopyBoth support instead of using pg-logical-replication, so that nothing but
 * `acknowledge()` ever reports a flush position: that library's periodic status update once
 * reported the last *received* LSN even with auto-acknowledge off (kibae/pg-logical-replication#174),
 * which would let the slot move past changes Kafka never committed.
 */
export class ReplicationConnection {
  private stream: CopyBothStream | undefined;

  private constructor(private readonly client: pg.Client) {}

  static async open(databaseUrl: string): Promise<ReplicationConnection> {
    const client = new pg.Client({
      connectionString: databaseUrl,
      replication: 'database',
    } as pg.ClientConfig);
    const connection = new ReplicationConnection(client);
    // A dropped connection must end the stream with an error, not leave a reader waiting forever.
    client.on('error', (error) => connection.stream?.destroy(error));
    client.on('end', () =>
      connection.stream?.destroy(
        new TributaryError('DATABASE_UNAVAILABLE', 'replication connection closed', { retryable: true }),
      ),
    );
    try {
      await client.connect();
    } catch (error) {
      throw new TributaryError('DATABASE_UNAVAILABLE', `replication connection failed: ${String(error)}`, {
        cause: error,
        retryable: true,
      });
    }
    return connection;
  }

  async createSlot(slot: string): Promise<CreatedSlot> {
    try {
      const result = await this.client.query<{ consistent_point: string; snapshot_name: string }>(
        `CREATE_REPLICATION_SLOT ${pg.escapeIdentifier(slot)} LOGICAL pgoutput EXPORT_SNAPSHOT`,
      );
      const row = result.rows[0];
      if (!row) throw new Error('no row returned');
      return { consistentPoint: parseLsn(row.consistent_point), snapshotName: row.snapshot_name };
    } catch (error) {
      throw new TributaryError(
        'DATABASE_REJECTED',
        `cannot create replication slot ${slot}: ${String(error)}`,
        {
          cause: error,
        },
      );
    }
  }

  /**
   * Starts streaming. The returned stream yields one CopyData payload per chunk and applies
   * backpressure: while it is not read, the socket is not read, and the server waits.
   */
  start(slot: string, publication: string, from: Lsn): Duplex {
    const sql =
      `START_REPLICATION SLOT ${pg.escapeIdentifier(slot)} LOGICAL ${formatLsn(from)} ` +
      `(proto_version '1', publication_names '${publication.replace(/'/g, "''")}', messages 'true')`;
    const stream = copyStreams.both(sql, {
      alignOnCopyDataFrame: true,
      // One chunk per CopyData frame: in byte mode the reader would get frames glued together.
      readableObjectMode: true,
      readableHighWaterMark: 1024,
    });
    this.stream = stream;
    this.client.query(stream);
    return stream;
  }

  /** Reports `lsn` as flushed: the slot may discard everything before it. */
  acknowledge(lsn: Lsn, now: Date): void {
    const stream = this.stream;
    if (!stream || stream.destroyed || stream.writableEnded) return;
    stream.write(standbyStatusUpdate(lsn, now));
  }

  async close(): Promise<void> {
    const stream = this.stream;
    this.stream = undefined;
    if (stream && !stream.destroyed) stream.destroy();
    await this.client.end().catch(() => undefined);
  }
}
