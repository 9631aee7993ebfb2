import type { IHeaders } from 'kafkajs';
import { deadLetterHeaders, legacySinkDlqHeaders } from '../deadLetterHeaders.js';

/** Set on a redriven record: which DLQ entry it came from (for tracing; not used for decisions). */
export const redrivenFromHeader = 'tributary.dlq.redriven-from';

/** One dead-lettered record, with its origin and failure read from the headers. */
export interface DlqEntry {
  dlqTopic: string;
  dlqPartition: number;
  dlqOffset: bigint;
  /** Broker timestamp of the DLQ record (ms). */
  timestamp: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, Buffer>;
  /** Which header names the record carries: today's (every writer), the sink's older ones, or none. */
  dialect: 'tributary' | 'legacy-sink' | 'unknown';
  error: string | null;
  errorCode: string | null;
  sqlstate: string | null;
  stage: string | null;
  originTopic: string | null;
  originPartition: number | null;
  originOffset: bigint | null;
  /** Failed processing attempts so far (across redrives for processor DLQ records). */
  attempts: number;
  failedAt: string | null;
}

function toBuffer(value: IHeaders[string]): Buffer | null {
  if (value === undefined) return null;
  const single = Array.isArray(value) ? value.at(-1) : value;
  if (single === undefined) return null;
  return Buffer.isBuffer(single) ? single : Buffer.from(String(single));
}

export function normalizeHeaders(headers: IHeaders | undefined): Record<string, Buffer> {
  const out: Record<string, Buffer> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    const buffer = toBuffer(value);
    if (buffer !== null) out[name] = buffer;
  }
  return out;
}

function text(headers: Record<string, Buffer>, name: string): string | null {
  return headers[name]?.toString('utf8') ?? null;
}

function integer(value: string | null): number | null {
  return value !== null && /^\d+$/.test(value) ? Number(value) : null;
}

type HeaderNames = Record<Exclude<keyof typeof deadLetterHeaders, 'failedAt'>, string> & {
  failedAt?: string;
};

export function parseDlqEntry(input: {
  topic: string;
  partition: number;
  offset: string;
  timestamp: string;
  key: Buffer | null;
  value: Buffer | null;
  headers?: IHeaders | undefined;
}): DlqEntry {
  const headers = normalizeHeaders(input.headers);
  const dialect =
    deadLetterHeaders.topic in headers
      ? 'tributary'
      : legacySinkDlqHeaders.topic in headers
        ? 'legacy-sink'
        : 'unknown';
  const names: HeaderNames = dialect === 'legacy-sink' ? legacySinkDlqHeaders : deadLetterHeaders;
  const originOffset = text(headers, names.offset);
  return {
    dlqTopic: input.topic,
    dlqPartition: input.partition,
    dlqOffset: BigInt(input.offset),
    timestamp: Number(input.timestamp),
    key: input.key,
    value: input.value,
    headers,
    dialect,
    error: text(headers, names.error),
    errorCode: text(headers, names.errorCode),
    sqlstate: text(headers, names.sqlstate),
    stage: text(headers, names.stage),
    originTopic: text(headers, names.topic),
    originPartition: integer(text(headers, names.partition)),
    originOffset: originOffset !== null && /^\d+$/.test(originOffset) ? BigInt(originOffset) : null,
    attempts: integer(text(headers, names.attempts)) ?? 0,
    failedAt: names.failedAt === undefined ? null : text(headers, names.failedAt),
  };
}

const dlqOnlyHeaders = new Set<string>([
  ...Object.values(deadLetterHeaders).filter((name) => name !== deadLetterHeaders.attempts),
  ...Object.values(legacySinkDlqHeaders),
  redrivenFromHeader,
]);

/**
 * The record to put back on the original topic: the original key, bytes and headers, the DLQ
 * bookkeeping headers removed except the attempt count, which is carried so that a record that
 * fails again is dead-lettered with its count raised (processors add to it).
 */
export function redriveHeaders(entry: DlqEntry): Record<string, Buffer> {
  const headers: Record<string, Buffer> = {};
  for (const [name, value] of Object.entries(entry.headers)) {
    if (!dlqOnlyHeaders.has(name)) headers[name] = value;
  }
  headers[deadLetterHeaders.attempts] = Buffer.from(String(entry.attempts));
  headers[redrivenFromHeader] = Buffer.from(`${entry.dlqTopic}/${entry.dlqPartition}/${entry.dlqOffset}`);
  return headers;
}

/**
 * The processors' DLQ writer invents `<topic>/<partition>/<offset>` as key when the original had
 * none; that exact key is turned back into "no key" so the redriven record is the original.
 */
export function originalKey(entry: DlqEntry): Buffer | null {
  if (entry.key === null) return null;
  const synthetic = `${entry.originTopic}/${entry.originPartition}/${entry.originOffset}`;
  // (The sink keeps the original key, a canonical id or none, which never has this shape.)
  return entry.dialect === 'tributary' && entry.key.toString('utf8') === synthetic ? null : entry.key;
}
