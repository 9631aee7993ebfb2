import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import type { Registry } from 'prom-client';
import { TributaryError } from '../../platform/errors.js';
import type { Logger } from '../../platform/logger.js';
import { ensureCounter, ensureGauge, ensureHistogram } from '../../platform/metrics.js';
import type { OutboundRecord } from '../../platform/outboundRecords.js';
import { type RawEnvelope, rawRecordKey } from '../../schemas/rawEnvelope.js';
import type { ConnectorDefinition, StreamDefinition } from '../connector/connectorDefinition.js';
import type { SourcePlumbing } from '../connector/createSourcePlumbing.js';
import { contentHash, eventId, naturalKeyOf } from '../connector/idempotency.js';
import { createPaginator, type PageRequest } from '../connector/pagination.js';
import { getPath, selectRecords } from '../connector/recordSelector.js';
import {
  advanceCursorOver,
  cursorEpochMs,
  cursorOfRecord,
  formatCursorParam,
  parseCursor,
  serializeCursor,
  syncLowerBoundMs,
  type TieSafeCursor,
} from '../connector/tieSafeCursor.js';
import { contentHashHeader, DELETED, DedupeIndex, eventIdHeader } from './dedupeIndex.js';
import { type SourceState, sourceStateKey } from './sourceState.js';
import { TransactionalPublisher } from './transactionalPublisher.js';

/** The stream whose records this stream's output describes: itself, or the stream a delete feed deletes from. */
export function targetStreamOf(stream: StreamDefinition): string {
  return stream.deleteSignal?.type === 'feed' ? stream.deleteSignal.of : stream.name;
}

export function rawTopicOf(definition: ConnectorDefinition, stream: StreamDefinition): string {
  return `raw.${definition.source.name}.${targetStreamOf(stream)}`;
}

export interface SyncReport {
  syncId: string;
  stream: string;
  mode: 'incremental' | 'full';
  pages: number;
  fetched: number;
  published: number;
  unchanged: number;
  deleted: number;
  cursor: string | null;
  durationMs: number;
  outcome: 'success' | 'failed' | 'refused';
  error?: string;
}

export interface PollingStreamOptions {
  kafka: Kafka;
  definition: ConnectorDefinition;
  stream: StreamDefinition;
  plumbing: SourcePlumbing;
  stateTopic: string;
  log: Logger;
  metrics: Registry;
  now?: () => Date;
  /**
   * The dedupe index of the raw topic, shared by every stream writing to it (an entity stream and
   * its delete feed), so each knows what the other published. Loaded by the first to open.
   */
  index?: SharedDedupeIndex;
}

/** A raw topic's index, loaded once however many streams share it. */
export class SharedDedupeIndex {
  private loading: Promise<DedupeIndex> | undefined;
  load(kafka: Kafka, topic: string): Promise<DedupeIndex> {
    this.loading ??= DedupeIndex.load(kafka, topic);
    return this.loading;
  }
}

/**
 * One stream of a polling source: pages through the source and publishes each page's changed
 * records together with the advanced cursor in one Kafka transaction, so a crash anywhere leaves
 * the old cursor and no new records, or both. Unchanged records (same content hash as the raw
 * log already holds) publish nothing, which makes the look-back overlap and re-fetches free.
 */
export class PollingStream {
  private readonly publisher: TransactionalPublisher;
  private index = new DedupeIndex();
  private opened = false;
  private state: SourceState | undefined;
  private readonly stateKey: string;
  readonly rawTopic: string;
  private readonly target: string;
  private readonly m;

  constructor(private readonly options: PollingStreamOptions) {
    const { definition, stream } = options;
    this.stateKey = sourceStateKey(definition.source.instance, stream.name);
    this.rawTopic = rawTopicOf(definition, stream);
    this.target = targetStreamOf(stream);
    this.publisher = new TransactionalPublisher({
      kafka: options.kafka,
      transactionalId: `tributary-producer.${definition.source.instance}.${stream.name}`,
      stateTopic: options.stateTopic,
      log: options.log,
      metrics: options.metrics,
      source: definition.source.name,
    });
    const r = options.metrics;
    this.m = {
      pages: ensureCounter(r, 'tributary_source_pages_total', 'Pages fetched', ['source', 'stream']),
      fetched: ensureCounter(r, 'tributary_source_records_fetched_total', 'Records fetched from sources', [
        'source',
        'stream',
      ]),
      published: ensureCounter(
        r,
        'tributary_source_records_published_total',
        'Changed records published to raw topics',
        ['source', 'stream'],
      ),
      unchanged: ensureCounter(
        r,
        'tributary_source_records_unchanged_total',
        'Fetched records skipped because their content was already published',
        ['source', 'stream'],
      ),
      freshness: ensureGauge(
        r,
        'tributary_source_cursor_freshness_seconds',
        'Now minus the committed cursor time',
        ['source', 'stream'],
      ),
      duration: ensureHistogram(
        r,
        'tributary_source_sync_seconds',
        'Sync duration',
        ['source', 'stream', 'outcome'],
        [0.1, 0.5, 1, 5, 15, 60, 300, 1800],
      ),
      outcome: ensureCounter(r, 'tributary_source_syncs_total', 'Syncs by outcome', [
        'source',
        'stream',
        'outcome',
      ]),
      lastSuccess: ensureGauge(
        r,
        'tributary_source_last_success_timestamp_seconds',
        'Unix time of the last successful sync',
        ['source', 'stream'],
      ),
    };
  }

  /** Fences earlier instances, then reads the committed cursor and the raw log's content hashes. */
  async open(): Promise<void> {
    await this.publisher.connect();
    this.state = (await this.publisher.loadStates([this.stateKey])).get(this.stateKey);
    if (this.opened) await this.index.reload(this.options.kafka, this.rawTopic);
    else
      this.index = await (this.options.index ?? new SharedDedupeIndex()).load(
        this.options.kafka,
        this.rawTopic,
      );
    this.opened = true;
    this.options.log.info(
      { stream: this.options.stream.name, cursor: this.cursorText(), indexedKeys: this.index.size },
      'stream opened',
    );
  }

  async close(): Promise<void> {
    await this.publisher.disconnect();
  }

  get streamName(): string {
    return this.options.stream.name;
  }

  private cursorText(): string | null {
    const cursor = this.state?.position['cursor'];
    return typeof cursor === 'string' ? cursor : null;
  }

  private now(): Date {
    return this.options.now?.() ?? new Date();
  }

  private isDeleted(record: unknown): boolean {
    const signal = this.options.stream.deleteSignal;
    if (signal?.type === 'feed') return true;
    if (signal?.type !== 'field') return false;
    const value = getPath(record, signal.field);
    return signal.equals.some((candidate) => candidate === value);
  }

  private firstPage(full: boolean, cursor: TieSafeCursor | null): PageRequest {
    const { definition, stream } = this.options;
    const url = new URL(definition.source.baseUrl.replace(/\/$/, '') + stream.path);
    for (const [name, value] of Object.entries(stream.query)) url.searchParams.set(name, value);
    if (!full && cursor && stream.cursor) {
      const lowerBound = syncLowerBoundMs(cursor, stream.lookbackMs);
      url.searchParams.set(
        stream.cursor.param.name,
        formatCursorParam(lowerBound, stream.cursor.param.format, stream.cursor.param.template),
      );
    }
    return createPaginator(stream.pagination).first(url.toString());
  }

  /**
   * One sync. Incremental: from cursor − lookback. Full (`full`, or full-refresh streams): every
   * record, and with a full-scan delete signal, keys the source no longer returns are deleted.
   */
  async sync(options: { full?: boolean; signal?: AbortSignal } = {}): Promise<SyncReport> {
    const { definition, stream, plumbing, log } = this.options;
    const labels = { source: definition.source.name, stream: stream.name };
    const full = options.full === true || stream.mode === 'full-refresh';
    const syncId = randomUUID();
    const started = Date.now();
    const report: SyncReport = {
      syncId,
      stream: stream.name,
      mode: full ? 'full' : 'incremental',
      pages: 0,
      fetched: 0,
      published: 0,
      unchanged: 0,
      deleted: 0,
      cursor: this.cursorText(),
      durationMs: 0,
      outcome: 'success',
    };
    const syncLog = log.child({ syncId, source: definition.source.name, stream: stream.name });
    const paginator = createPaginator(stream.pagination);
    let cursor: TieSafeCursor | null = this.cursorText() ? parseCursor(this.cursorText() as string) : null;
    const seenKeys = full ? new Set<string>() : undefined;
    try {
      if (!this.publisher.connected) {
        // A publish failed with an unknown outcome: fence, then re-read what Kafka holds (cursor
        // and content hashes) before fetching anything, so nothing is lost or published twice.
        await this.open();
        cursor = this.cursorText() ? parseCursor(this.cursorText() as string) : null;
      }
      let page: PageRequest | null = this.firstPage(full, cursor);
      while (page) {
        if (options.signal?.aborted)
          throw new TributaryError('INVALID_STATE', 'sync aborted', { retryable: true });
        if (report.pages >= stream.maxPages) {
          throw new TributaryError(
            'VALIDATION_FAILED',
            `stream ${stream.name} exceeded maxPages=${stream.maxPages}`,
          );
        }
        const request: PageRequest = page;
        const response = await plumbing.requester.send({
          stream: stream.name,
          endpoint: stream.path,
          request: {
            method: stream.method,
            url: request.url,
            headers: { ...stream.headers, ...request.headers },
          },
          ...(options.signal ? { signal: options.signal } : {}),
        });
        const body = response.json();
        const records = selectRecords(body, stream.recordSelector);
        report.pages++;
        report.fetched += records.length;
        this.m.pages.inc(labels);
        this.m.fetched.inc(labels, records.length);
        const observedAt = this.now().toISOString();
        const outbound: OutboundRecord[] = [];
        const staged = new Map<string, string>();
        const endpoint = new URL(request.url);
        for (const record of records) {
          const naturalKey = naturalKeyOf(record, stream.naturalKey);
          const key = rawRecordKey(definition.source.instance, this.target, naturalKey);
          seenKeys?.add(key);
          const deleted = this.isDeleted(record);
          const hash = contentHash(record);
          const known = staged.get(key) ?? this.index.get(key);
          if ((deleted && known === DELETED) || (!deleted && known === hash)) {
            report.unchanged++;
            continue;
          }
          const envelope = this.envelope({
            naturalKey,
            hash,
            operation: deleted ? 'delete' : 'upsert',
            observedAt,
            record,
            cursorValue: stream.cursor ? serializeCursor(cursorOfRecord(record, stream.cursor)) : null,
            request: {
              method: stream.method,
              endpoint: `${endpoint.pathname}${endpoint.search}`,
              pageToken: request.pageToken,
            },
          });
          outbound.push(this.rawRecord(key, envelope));
          if (deleted) {
            outbound.push({ topic: this.rawTopic, key, value: null });
            report.deleted++;
          }
          staged.set(key, deleted ? DELETED : hash);
        }
        const nextCursor =
          stream.cursor && records.length > 0 ? advanceCursorOver(cursor, records, stream.cursor) : cursor;
        if (outbound.length > 0 || serializeOrNull(nextCursor) !== serializeOrNull(cursor)) {
          await this.commit(outbound, nextCursor, syncId);
          report.published += outbound.filter((record) => record.value !== null).length;
          this.m.published.inc(labels, outbound.filter((record) => record.value !== null).length);
        }
        this.index.apply(staged);
        cursor = nextCursor;
        page = paginator.next(request, { body, headers: response.headers, records });
      }
      if (full && seenKeys && stream.deleteSignal?.type === 'full-scan') {
        const outcome = await this.deleteVanished(
          seenKeys,
          stream.deleteSignal.maxVanishedShare,
          syncId,
          cursor,
          report,
        );
        if (outcome === 'refused') report.outcome = 'refused';
      }
    } catch (error) {
      report.outcome = 'failed';
      report.error = error instanceof Error ? error.message : String(error);
      syncLog.error(
        { err: error, pages: report.pages },
        'sync failed; the committed cursor still covers only published records',
      );
    } finally {
      report.cursor = this.cursorText();
      report.durationMs = Date.now() - started;
      this.m.unchanged.inc(labels, report.unchanged);
      this.m.duration.observe({ ...labels, outcome: report.outcome }, report.durationMs / 1000);
      this.m.outcome.inc({ ...labels, outcome: report.outcome });
      if (report.outcome === 'success') this.m.lastSuccess.set(labels, Date.now() / 1000);
      const committed = this.cursorText();
      if (committed)
        this.m.freshness.set(
          labels,
          Math.max(0, (Date.now() - cursorEpochMs(parseCursor(committed))) / 1000),
        );
    }
    syncLog.info({ ...report }, 'sync finished');
    return report;
  }

  private async deleteVanished(
    seen: ReadonlySet<string>,
    maxShare: number,
    syncId: string,
    cursor: TieSafeCursor | null,
    report: SyncReport,
  ): Promise<'done' | 'refused'> {
    const live = [...this.index.keys()].filter((key) => this.index.get(key) !== DELETED);
    const vanished = live.filter((key) => !seen.has(key));
    if (vanished.length === 0) return 'done';
    const share = vanished.length / Math.max(1, live.length);
    if (share > maxShare) {
      // Guard against a partial listing (an outage, a permissions change) wiping the raw log.
      this.options.log.error(
        { vanished: vanished.length, live: live.length, share, maxShare, stream: this.options.stream.name },
        'full scan: too many records vanished at once; refusing to delete them',
      );
      ensureCounter(
        this.options.metrics,
        'tributary_source_delete_refusals_total',
        'Full-scan deletions refused (too many vanished)',
        ['source', 'stream'],
      ).inc({ source: this.options.definition.source.name, stream: this.options.stream.name });
      return 'refused';
    }
    const observedAt = this.now().toISOString();
    const outbound: OutboundRecord[] = [];
    const staged = new Map<string, string>();
    for (const key of vanished) {
      const naturalKey = key.slice(`${this.options.definition.source.instance}/${this.target}/`.length);
      const envelope = this.envelope({
        naturalKey,
        hash: contentHash(null),
        operation: 'delete',
        observedAt,
        record: null,
        cursorValue: null,
        request: null,
      });
      outbound.push(this.rawRecord(key, envelope), { topic: this.rawTopic, key, value: null });
      staged.set(key, DELETED);
    }
    await this.commit(outbound, cursor, syncId);
    this.index.apply(staged);
    report.deleted += vanished.length;
    return 'done';
  }

  private envelope(input: {
    naturalKey: string;
    hash: string;
    operation: 'upsert' | 'delete';
    observedAt: string;
    record: unknown;
    cursorValue: string | null;
    request: RawEnvelope['request'];
  }): RawEnvelope {
    const { definition, stream } = this.options;
    const updated = stream.cursor ? getPath(input.record, stream.cursor.field) : undefined;
    return {
      envelopeVersion: 1,
      eventId: eventId({
        sourceSystem: definition.source.system,
        sourceInstance: definition.source.instance,
        stream: this.target,
        naturalKey: input.naturalKey,
        contentHash: input.hash,
      }),
      sourceSystem: definition.source.system,
      sourceInstance: definition.source.instance,
      stream: this.target,
      naturalKey: input.naturalKey,
      operation: input.operation,
      observedAt: input.observedAt,
      sourceUpdatedAt: updated === undefined || updated === null ? null : String(updated),
      cursor: input.cursorValue,
      request: input.request,
      contentHash: input.hash,
      connector: { name: definition.name, version: definition.version },
      payload: input.record,
    };
  }

  private rawRecord(key: string, envelope: RawEnvelope): OutboundRecord {
    return {
      topic: this.rawTopic,
      key,
      value: Buffer.from(JSON.stringify(envelope)),
      headers: {
        [contentHashHeader]: envelope.contentHash,
        [eventIdHeader]: envelope.eventId,
        'tributary.operation': envelope.operation,
      },
    };
  }

  private async commit(
    outbound: OutboundRecord[],
    cursor: TieSafeCursor | null,
    syncId: string,
  ): Promise<void> {
    const position: Record<string, unknown> = { ...(this.state?.position ?? {}) };
    if (cursor) position['cursor'] = serializeCursor(cursor);
    const state: SourceState = { stateVersion: 1, position, syncId, updatedAt: this.now().toISOString() };
    await this.publisher.publish(outbound, this.stateKey, state);
    this.state = state;
  }
}

function serializeOrNull(cursor: TieSafeCursor | null): string | null {
  return cursor ? serializeCursor(cursor) : null;
}
