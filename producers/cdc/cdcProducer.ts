import type { Duplex } from 'node:stream';
import pg from 'pg';
import { isRetryable, TributaryError } from '../../platform/errors.js';
import { Lifecycle, type LifecycleState } from '../../platform/lifecycle.js';
import { ensureCounter, ensureGauge } from '../../platform/metrics.js';
import type { OutboundRecord } from '../../platform/outboundRecords.js';
import { sourceStateKey } from '../runtime/sourceState.js';
import { TransactionalPublisher } from '../runtime/transactionalPublisher.js';
import {
  type CdcProducerOptions,
  type CdcProducerOptionsInput,
  resolveCdcProducerOptions,
} from './cdcOptions.js';
import { type CdcPosition, cdcPositionOf } from './cdcPosition.js';
import { type CapturedTable, type ChangeContext, changeRecords, rawTopicFor } from './changeEvents.js';
import { ColumnPolicy } from './columnPolicy.js';
import { formatLsn, type Lsn, maxLsn, parseLsn } from './lsn.js';
import { decodePgoutput, type PgoutputMessage, type Relation, type TupleValue } from './pgoutputDecoder.js';
import { ReplicationConnection } from './replicationConnection.js';
import { parseReplicationFrame } from './replicationProtocol.js';
import { runSnapshot } from './snapshot.js';
import { checkPrivileges, checkWalLevel, describeTables, ensurePublication } from './sourceChecks.js';

/** Prefix of the logical messages we emit as heartbeats. */
export const heartbeatPrefix = 'tributary.heartbeat';

interface OpenTransaction {
  finalLsn: Lsn;
  commitTime: Date;
  xid: number;
  records: OutboundRecord[];
}

interface CommittedTransaction {
  endLsn: Lsn;
  commitTime: Date;
  records: OutboundRecord[];
}

export interface CdcProducerStats {
  snapshotRows: number;
  transactionsPublished: number;
  transactionsSkipped: number;
  changesPublished: number;
  acknowledgedLsn: string;
}

/**
 * Streams a PostgreSQL publication into raw topics. Every Kafka transaction holds whole source
 * transactions plus the end LSN of the last one (the shared source-state mechanism); the slot is
 * acknowledged only after that transaction committed, and only with a transaction's end LSN —
 * or, when nothing is in flight, with the server's keepalive/heartbeat position.
 */
export class CdcProducer {
  readonly options: CdcProducerOptions;
  private readonly lifecycle: Lifecycle;
  private readonly publisher: TransactionalPublisher;
  private readonly stateKey: string;
  private readonly context: ChangeContext;
  private readonly tables = new Map<string, CapturedTable>();
  private readonly relations = new Map<number, Relation>();
  private db: pg.Client | undefined;
  private replication: ReplicationConnection | undefined;
  private stream: Duplex | undefined;
  private open: OpenTransaction | undefined;
  private readonly queue: CommittedTransaction[] = [];
  private queuedRecords = 0;
  private publishing = false;
  private resumeLsn: Lsn = 0n;
  private acknowledged: Lsn = 0n;
  private snapshotLsn = '0/0';
  private wake: (() => void) | undefined;
  private drained: (() => void) | undefined;
  private stopping = false;
  /** The replication stream ended (stop or failure): publish what is queued, then end. */
  private readerDone = false;
  private timers: NodeJS.Timeout[] = [];
  private loops: Promise<void> | undefined;
  private failure: ((error: unknown) => void) | undefined;
  /** Rejects when streaming fails after start (the process should exit and be restarted). */
  readonly failed: Promise<never>;
  readonly stats: CdcProducerStats = {
    snapshotRows: 0,
    transactionsPublished: 0,
    transactionsSkipped: 0,
    changesPublished: 0,
    acknowledgedLsn: '0/0',
  };
  private readonly m;

  constructor(input: CdcProducerOptionsInput) {
    this.options = resolveCdcProducerOptions(input);
    const o = this.options;
    this.stateKey = sourceStateKey(o.sourceInstance, `slot:${o.slot}`);
    this.context = { sourceInstance: o.sourceInstance, connector: o.connector };
    this.publisher = new TransactionalPublisher({
      kafka: o.kafka,
      transactionalId: o.transactionalId,
      stateTopic: o.stateTopic,
      log: o.log,
      metrics: o.metrics,
      source: o.source,
    });
    this.lifecycle = new Lifecycle(
      `cdc:${o.source}`,
      { start: () => this.startUp(), drain: () => this.drain(), forceClose: () => this.close() },
      o.log,
      20_000,
    );
    this.failed = new Promise<never>((_, reject) => {
      this.failure = reject;
    });
    this.failed.catch(() => undefined);
    const labels = ['source'] as const;
    this.m = {
      lagBytes: ensureGauge(
        o.metrics,
        'tributary_cdc_replication_lag_bytes',
        'WAL between the server position and the acknowledged (confirmed flush) LSN',
        [...labels],
      ),
      lagSeconds: ensureGauge(
        o.metrics,
        'tributary_cdc_replication_lag_seconds',
        'Age of the oldest source commit not yet committed to Kafka (0 when caught up)',
        [...labels],
      ),
      retained: ensureGauge(
        o.metrics,
        'tributary_cdc_retained_wal_bytes',
        'WAL the slot keeps on the server (current LSN minus restart_lsn)',
        [...labels],
      ),
      changes: ensureCounter(
        o.metrics,
        'tributary_cdc_changes_total',
        'Row changes published, by operation',
        ['source', 'operation'],
      ),
      truncates: ensureCounter(
        o.metrics,
        'tributary_cdc_truncates_ignored_total',
        'TRUNCATE messages received (not propagated; re-snapshot)',
        [...labels],
      ),
    };
  }

  get state(): LifecycleState {
    return this.lifecycle.state;
  }

  /** Preflight, snapshot when needed, then stream in the background. */
  async start(): Promise<void> {
    await this.lifecycle.start();
  }

  async stop(): Promise<void> {
    await this.lifecycle.stop();
  }

  private async startUp(): Promise<void> {
    const o = this.options;
    const db = new pg.Client({ connectionString: o.databaseUrl });
    db.on('error', (error) => this.fail(error));
    await db.connect();
    this.db = db;
    await checkWalLevel(db);
    const infos = await describeTables(
      db,
      o.tables.map((t) => t.table),
    );
    await checkPrivileges(db, infos);
    if (o.managePublication) await ensurePublication(db, o.publication, infos, o.log);
    for (const [i, info] of infos.entries()) {
      const policy = new ColumnPolicy(o.tables[i]);
      this.tables.set(info.stream, { info, policy, topic: rawTopicFor(o.source, info.stream), columns: [] });
    }

    await this.publisher.connect(); // fences a previous instance before we read the state
    const position = cdcPositionOf((await this.publisher.loadStates([this.stateKey])).get(this.stateKey));
    const slot = await this.slotRow();
    let from: Lsn;
    if (position?.phase === 'streaming' && position.slot === o.slot && slot) {
      from = parseLsn(position.lsn);
      // PostgreSQL 15 lets a feedback message move confirmed_flush_lsn backwards; never send one
      // below where the slot already is (it may be ahead of Kafka's position after idle keepalives).
      this.acknowledged = slot.confirmed_flush_lsn ? maxLsn(from, parseLsn(slot.confirmed_flush_lsn)) : from;
      this.snapshotLsn = position.snapshotLsn;
      this.replication = await ReplicationConnection.open(o.databaseUrl);
      o.log.info({ slot: o.slot, from: position.lsn }, 'resuming CDC stream');
    } else {
      if (position?.phase === 'streaming')
        o.log.warn({ slot: o.slot }, 'replication slot missing: taking a new snapshot');
      else if (slot)
        o.log.warn(
          { slot: o.slot, phase: position?.phase ?? 'none' },
          'no committed streaming position for this slot (an earlier snapshot did not finish): dropping the slot and taking a new snapshot',
        );
      if (slot) await this.dropSlot();
      from = await this.snapshot();
      this.acknowledged = from;
    }
    this.resumeLsn = from;
    await this.startStreaming(from);
  }

  private async slotRow(): Promise<
    { active_pid: number | null; confirmed_flush_lsn: string | null } | undefined
  > {
    const { rows } = await this.requireDb().query<{
      active_pid: number | null;
      confirmed_flush_lsn: string | null;
    }>('SELECT active_pid, confirmed_flush_lsn::text FROM pg_replication_slots WHERE slot_name = $1', [
      this.options.slot,
    ]);
    return rows[0];
  }

  /** A SIGKILLed predecessor's walsender may hold the slot for a moment; wait, then end it (it is fenced in Kafka anyway). */
  private async releaseSlot(): Promise<void> {
    const deadline = Date.now() + this.options.slotReleaseWaitMs;
    for (;;) {
      const row = await this.slotRow();
      if (!row || row.active_pid === null) return;
      if (Date.now() > deadline) {
        this.options.log.warn(
          { pid: row.active_pid, slot: this.options.slot },
          'terminating the walsender still holding the slot',
        );
        await this.requireDb().query('SELECT pg_terminate_backend($1)', [row.active_pid]);
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  private async dropSlot(): Promise<void> {
    await this.releaseSlot();
    await this.requireDb().query('SELECT pg_drop_replication_slot($1)', [this.options.slot]);
  }

  private async snapshot(): Promise<Lsn> {
    const o = this.options;
    const replication = await ReplicationConnection.open(o.databaseUrl);
    this.replication = replication;
    const created = await replication.createSlot(o.slot);
    const consistentPoint = formatLsn(created.consistentPoint);
    this.snapshotLsn = consistentPoint;
    o.log.info({ slot: o.slot, consistentPoint }, 'slot created; snapshotting');
    const position: CdcPosition = {
      phase: 'snapshot',
      slot: o.slot,
      lsn: consistentPoint,
      snapshotLsn: consistentPoint,
    };
    const report = await runSnapshot({
      databaseUrl: o.databaseUrl,
      kafka: o.kafka,
      log: o.log,
      context: this.context,
      tables: [...this.tables.values()],
      snapshotName: created.snapshotName,
      consistentPoint,
      chunkRows: o.snapshotChunkRows,
      now: o.now,
      publish: (records) => this.publishWithRetry(records, position),
    });
    this.stats.snapshotRows = report.rows;
    await this.publishWithRetry([], { ...position, phase: 'streaming' });
    o.log.info({ ...report }, 'snapshot committed');
    return created.consistentPoint;
  }

  private async startStreaming(from: Lsn): Promise<void> {
    const o = this.options;
    const replication = this.replication;
    if (!replication) throw new TributaryError('INVALID_STATE', 'no replication connection');
    await this.releaseSlot();
    this.stream = replication.start(o.slot, o.publication, from);
    replication.acknowledge(this.acknowledged, o.now());
    this.timers.push(
      setInterval(() => this.replication?.acknowledge(this.acknowledged, o.now()), o.statusIntervalMs),
      setInterval(() => this.heartbeat(), o.heartbeatIntervalMs),
      setInterval(() => this.monitor(), o.monitorIntervalMs),
    );
    const stream = this.stream;
    this.loops = Promise.all([this.readLoop(stream), this.publishLoop()]).then(() => undefined);
    this.loops.catch((error: unknown) => this.fail(error));
  }

  private fail(error: unknown): void {
    if (this.stopping) return;
    this.options.log.error({ err: error }, 'CDC stream failed');
    this.failure?.(error);
  }

  private requireDb(): pg.Client {
    if (!this.db) throw new TributaryError('INVALID_STATE', 'CDC producer not started');
    return this.db;
  }

  private async readLoop(stream: Duplex): Promise<void> {
    try {
      for await (const chunk of stream) {
        if (this.stopping) break;
        const frame = parseReplicationFrame(chunk as Buffer);
        if (frame.kind === 'keepalive') {
          if (this.idle() && frame.walEnd > this.acknowledged) this.acknowledge(frame.walEnd);
          else if (frame.replyRequested) this.replication?.acknowledge(this.acknowledged, this.options.now());
          continue;
        }
        await this.onMessage(decodePgoutput(frame.payload));
      }
      if (!this.stopping) {
        throw new TributaryError('DATABASE_UNAVAILABLE', 'replication stream ended unexpectedly', {
          retryable: true,
        });
      }
    } catch (error) {
      if (!this.stopping) throw error;
    } finally {
      this.readerDone = true;
      this.wake?.();
    }
  }

  private idle(): boolean {
    return this.open === undefined && this.queue.length === 0 && !this.publishing;
  }

  private acknowledge(lsn: Lsn): void {
    this.acknowledged = maxLsn(this.acknowledged, lsn);
    this.stats.acknowledgedLsn = formatLsn(this.acknowledged);
    this.replication?.acknowledge(this.acknowledged, this.options.now());
  }

  private async onMessage(message: PgoutputMessage): Promise<void> {
    switch (message.tag) {
      case 'relation':
        this.onRelation(message.relation);
        return;
      case 'begin':
        this.open = {
          finalLsn: message.finalLsn,
          commitTime: message.commitTime,
          xid: message.xid,
          records: [],
        };
        return;
      case 'insert':
      case 'update':
      case 'delete':
        this.onChange(message);
        return;
      case 'commit':
        await this.onCommit(message.endLsn);
        return;
      case 'message':
        if (!message.transactional && message.prefix === heartbeatPrefix && this.idle())
          this.acknowledge(message.lsn);
        return;
      case 'truncate':
        this.m.truncates.inc({ source: this.options.source });
        this.options.log.warn(
          { relations: message.relationIds },
          'TRUNCATE is not propagated: re-snapshot the table (see README)',
        );
        return;
      default:
        return;
    }
  }

  private onRelation(relation: Relation): void {
    this.relations.set(relation.id, relation);
    const table = this.tables.get(`${relation.schema}.${relation.table}`);
    if (!table) return;
    table.columns = table.policy.describe(
      relation.columns.map((c) => ({
        name: c.name,
        typeOid: c.typeOid,
        key: table.info.keyColumns.includes(c.name),
      })),
    );
    this.options.log.info(
      { stream: table.info.stream, columns: relation.columns.map((c) => c.name) },
      'relation (re)described',
    );
  }

  private rowOf(
    relation: Relation,
    tuple: readonly TupleValue[],
    old: readonly TupleValue[] | null,
    identityOnly: boolean,
  ): Record<string, string | null> {
    const row: Record<string, string | null> = {};
    for (const [i, column] of relation.columns.entries()) {
      if (identityOnly && !column.identity) continue;
      const value = tuple[i];
      if (!value || value.kind === 'null') row[column.name] = null;
      else if (value.kind === 'text') row[column.name] = value.value;
      else if (value.kind === 'binary') row[column.name] = value.value.toString('base64');
      else {
        // Unchanged TOASTed value: only the old row (REPLICA IDENTITY FULL) has it. Never publish a null for it.
        const previous = old?.[i];
        if (previous?.kind !== 'text') {
          throw new TributaryError(
            'VALIDATION_FAILED',
            `unchanged TOASTed column ${column.name} of ${relation.schema}.${relation.table} arrived without its value; set REPLICA IDENTITY FULL on the table`,
          );
        }
        row[column.name] = previous.value;
      }
    }
    return row;
  }

  private onChange(message: Extract<PgoutputMessage, { tag: 'insert' | 'update' | 'delete' }>): void {
    const open = this.open;
    if (!open) throw new TributaryError('VALIDATION_FAILED', `pgoutput ${message.tag} outside a transaction`);
    const relation = this.relations.get(message.relationId);
    if (!relation)
      throw new TributaryError(
        'VALIDATION_FAILED',
        `pgoutput ${message.tag} for unknown relation ${message.relationId}`,
      );
    const table = this.tables.get(`${relation.schema}.${relation.table}`);
    if (!table) return;
    const base = {
      table,
      commitLsn: formatLsn(open.finalLsn),
      commitTime: open.commitTime,
      xid: open.xid,
      observedAt: this.options.now().toISOString(),
      snapshot: false,
    };
    if (message.tag === 'delete') {
      const row = this.rowOf(relation, message.oldTuple, null, message.oldKind === 'key');
      open.records.push(...changeRecords(this.context, { ...base, operation: 'delete', row }));
    } else {
      const old = message.tag === 'update' ? message.oldTuple : null;
      open.records.push(
        ...changeRecords(this.context, {
          ...base,
          operation: 'upsert',
          row: this.rowOf(relation, message.newTuple, old, false),
        }),
      );
    }
  }

  private async onCommit(endLsn: Lsn): Promise<void> {
    const open = this.open;
    this.open = undefined;
    if (!open) throw new TributaryError('VALIDATION_FAILED', 'pgoutput commit without begin');
    if (endLsn <= this.resumeLsn) {
      // Already in Kafka: committed before a crash that came before the slot acknowledgement.
      this.stats.transactionsSkipped++;
      this.options.log.info(
        { endLsn: formatLsn(endLsn), resumeLsn: formatLsn(this.resumeLsn) },
        'skipping a transaction already committed to Kafka',
      );
      return;
    }
    this.queue.push({ endLsn, commitTime: open.commitTime, records: open.records });
    this.queuedRecords += open.records.length;
    this.wake?.();
    while (this.queuedRecords > this.options.maxQueuedRecords && !this.stopping) {
      // Backpressure: stop reading the replication socket until Kafka catches up.
      await new Promise<void>((resolve) => {
        this.drained = resolve;
      });
    }
  }

  private async publishLoop(): Promise<void> {
    const o = this.options;
    for (;;) {
      if (this.queue.length === 0) {
        if (this.stopping || this.readerDone) return;
        await new Promise<void>((resolve) => {
          this.wake = resolve;
        });
        continue;
      }
      this.publishing = true;
      let count = 0;
      let take = 0;
      for (const transaction of this.queue) {
        if (take > 0 && count + transaction.records.length > o.maxBatchRecords) break;
        count += transaction.records.length;
        take++;
      }
      const batch = this.queue.slice(0, take);
      const last = batch.at(-1);
      if (!last) continue;
      const records = batch.flatMap((transaction) => transaction.records);
      await this.publishWithRetry(records, {
        phase: 'streaming',
        slot: o.slot,
        lsn: formatLsn(last.endLsn),
        snapshotLsn: this.snapshotLsn,
      });
      this.queue.splice(0, take);
      this.queuedRecords -= count;
      this.publishing = false;
      this.stats.transactionsPublished += take;
      this.stats.changesPublished += records.filter((r) => r.value !== null).length;
      for (const record of records) {
        if (record.value !== null)
          this.m.changes.inc({
            source: o.source,
            operation: String(record.headers?.['tributary.operation'] ?? 'upsert'),
          });
      }
      this.m.lagSeconds.set(
        { source: o.source },
        this.queue[0] ? Math.max(0, (o.now().getTime() - this.queue[0].commitTime.getTime()) / 1000) : 0,
      );
      o.afterCommitBeforeAck();
      this.acknowledge(last.endLsn); // only now: the Kafka transaction holding these changes committed
      this.drained?.();
    }
  }

  private async publishWithRetry(records: OutboundRecord[], position: CdcPosition): Promise<void> {
    const state = {
      stateVersion: 1 as const,
      position,
      syncId: `cdc:${position.lsn}`,
      updatedAt: this.options.now().toISOString(),
    };
    for (let attempt = 1; ; attempt++) {
      try {
        await this.publisher.publish(records, this.stateKey, state);
        return;
      } catch (error) {
        if (attempt >= 5 || !isRetryable(error)) throw error;
        this.options.log.warn({ err: error, attempt }, 'CDC publish failed; retrying the same transaction');
        await new Promise((resolve) => setTimeout(resolve, 200 * 2 ** attempt));
      }
    }
  }

  private heartbeat(): void {
    this.db
      ?.query('SELECT pg_logical_emit_message(false, $1, $2)', [
        heartbeatPrefix,
        this.options.now().toISOString(),
      ])
      .catch((error: unknown) => {
        this.options.log.warn({ err: error }, 'heartbeat failed');
      });
  }

  private monitor(): void {
    const o = this.options;
    this.db
      ?.query<{ lag: string | null; retained: string | null }>(
        `SELECT (pg_current_wal_lsn() - confirmed_flush_lsn)::text AS lag, (pg_current_wal_lsn() - restart_lsn)::text AS retained
           FROM pg_replication_slots WHERE slot_name = $1`,
        [o.slot],
      )
      .then(({ rows }) => {
        const row = rows[0];
        if (!row) return;
        const retained = Number(row.retained ?? 0);
        this.m.lagBytes.set({ source: o.source }, Number(row.lag ?? 0));
        this.m.retained.set({ source: o.source }, retained);
        if (this.idle()) this.m.lagSeconds.set({ source: o.source }, 0);
        if (retained > o.retainedWalWarnBytes) {
          o.log.warn(
            { slot: o.slot, retainedBytes: retained, threshold: o.retainedWalWarnBytes },
            'replication slot retains more WAL than the warning threshold',
          );
        }
      })
      .catch((error: unknown) => o.log.warn({ err: error }, 'slot metrics query failed'));
  }

  /** Stop reading, publish what was decoded, acknowledge it, close. */
  private async drain(): Promise<void> {
    this.stopping = true;
    for (const timer of this.timers) clearInterval(timer);
    this.wake?.();
    this.drained?.();
    this.stream?.destroy();
    await this.loops?.catch(() => undefined);
    await this.close();
  }

  private async close(): Promise<void> {
    this.stopping = true;
    for (const timer of this.timers) clearInterval(timer);
    await this.replication?.close();
    await this.publisher.disconnect().catch(() => undefined);
    await this.db?.end().catch(() => undefined);
    this.db = undefined;
  }
}
