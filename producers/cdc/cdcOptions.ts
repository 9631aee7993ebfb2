import type { Kafka } from 'kafkajs';
import type { Registry } from 'prom-client';
import { sourceStateTopic } from '../../platform/declaredTopics.js';
import { TributaryError } from '../../platform/errors.js';
import type { Logger } from '../../platform/logger.js';
import type { TablePolicyInput } from './columnPolicy.js';

export interface CdcTableInput extends TablePolicyInput {
  /** `schema.table` */
  table: string;
}

export interface CdcProducerOptionsInput {
  kafka: Kafka;
  /** Source database (the CDC role's credentials). */
  databaseUrl: string;
  log: Logger;
  metrics: Registry;
  /** @default () => new Date() */
  now?: () => Date;
  /** Source name: topics are raw.<source>.<schema>.<table>. */
  source: string;
  /** @default source */
  sourceInstance?: string;
  /** @default tributary_<source> */
  slot?: string;
  /** @default tributary_<source> */
  publication?: string;
  /** Tables to capture, `schema.table` or with a column policy. */
  tables: readonly (string | CdcTableInput)[];
  /** @default true — create the publication / add tables when missing */
  managePublication?: boolean;
  /** @default '_tributary.source-state' */
  stateTopic?: string;
  /** @default tributary-cdc-<sourceInstance>-<slot> */
  transactionalId?: string;
  /** Most records per Kafka transaction; a source transaction is never split, so one can exceed it. @default 5000 */
  maxBatchRecords?: number;
  /** Decoded records waiting for Kafka before reading from PostgreSQL pauses. @default 50000 */
  maxQueuedRecords?: number;
  /** Rows per snapshot chunk (one Kafka transaction each). @default 2000 */
  snapshotChunkRows?: number;
  /** pg_logical_emit_message heartbeat period, so an idle publication can acknowledge WAL. @default 10000 */
  heartbeatIntervalMs?: number;
  /** Standby status update period (must be below the server's wal_sender_timeout). @default 10000 */
  statusIntervalMs?: number;
  /** Slot metrics period. @default 5000 */
  monitorIntervalMs?: number;
  /** Log a warning when the slot retains more WAL than this. @default 1 GiB */
  retainedWalWarnBytes?: number;
  /** How long to wait for a previous instance's walsender to release the slot before terminating it. @default 5000 */
  slotReleaseWaitMs?: number;
  /** Fault-injection hook for crash tests: runs after a Kafka commit, before the slot acknowledgement. @default no-op */
  afterCommitBeforeAck?: () => void;
  /** Connector name and version in envelopes. @default { name: 'postgres-cdc-<source>', version: '1.0.0' } */
  connector?: { name: string; version: string };
}

export interface CdcProducerOptions extends Required<Omit<CdcProducerOptionsInput, 'tables'>> {
  tables: CdcTableInput[];
}

function positive(name: string, value: number | undefined, fallback: number): number {
  const resolved = value ?? fallback;
  if (!Number.isInteger(resolved) || resolved <= 0) {
    throw new TributaryError(
      'CONFIG_INVALID',
      `CDC option ${name} must be a positive integer (got ${resolved})`,
    );
  }
  return resolved;
}

const identifier = /^[a-z_][a-z0-9_]{0,62}$/;

export function resolveCdcProducerOptions(input: CdcProducerOptionsInput): CdcProducerOptions {
  const sourceInstance = input.sourceInstance ?? input.source;
  const slot = input.slot ?? `tributary_${input.source.replace(/[^a-z0-9_]/gi, '_').toLowerCase()}`;
  const publication = input.publication ?? slot;
  if (!/^[A-Za-z0-9_-]+$/.test(input.source)) {
    throw new TributaryError(
      'CONFIG_INVALID',
      `CDC source "${input.source}": letters, digits, '_' and '-' only`,
    );
  }
  if (!identifier.test(slot)) {
    throw new TributaryError(
      'CONFIG_INVALID',
      `CDC slot "${slot}": lower-case letters, digits and '_' (PostgreSQL slot name rules)`,
    );
  }
  if (input.tables.length === 0)
    throw new TributaryError('CONFIG_INVALID', 'CDC tables: at least one table is required');
  const tables = input.tables.map((table) => (typeof table === 'string' ? { table } : { ...table }));
  return {
    kafka: input.kafka,
    databaseUrl: input.databaseUrl,
    log: input.log,
    metrics: input.metrics,
    now: input.now ?? (() => new Date()),
    source: input.source,
    sourceInstance,
    slot,
    publication,
    tables,
    managePublication: input.managePublication ?? true,
    stateTopic: input.stateTopic ?? sourceStateTopic,
    transactionalId: input.transactionalId ?? `tributary-cdc-${sourceInstance}-${slot}`,
    maxBatchRecords: positive('maxBatchRecords', input.maxBatchRecords, 5000),
    maxQueuedRecords: positive('maxQueuedRecords', input.maxQueuedRecords, 50_000),
    snapshotChunkRows: positive('snapshotChunkRows', input.snapshotChunkRows, 2000),
    heartbeatIntervalMs: positive('heartbeatIntervalMs', input.heartbeatIntervalMs, 10_000),
    statusIntervalMs: positive('statusIntervalMs', input.statusIntervalMs, 10_000),
    monitorIntervalMs: positive('monitorIntervalMs', input.monitorIntervalMs, 5000),
    retainedWalWarnBytes: positive('retainedWalWarnBytes', input.retainedWalWarnBytes, 1024 ** 3),
    slotReleaseWaitMs: positive('slotReleaseWaitMs', input.slotReleaseWaitMs, 5000),
    afterCommitBeforeAck: input.afterCommitBeforeAck ?? (() => undefined),
    connector: input.connector ?? { name: `postgres-cdc-${input.source}`, version: '1.0.0' },
  };
}
