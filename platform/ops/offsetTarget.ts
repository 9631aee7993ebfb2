import { TributaryError } from '../errors.js';

/** Where `tributary replay` moves a group: the log start, the first offset at a time, or explicit offsets. */
export type OffsetTarget =
  | { kind: 'earliest' }
  | { kind: 'timestamp'; at: Date }
  | { kind: 'offsets'; offsets: ReadonlyMap<string, ReadonlyMap<number, bigint>> };

function usage(message: string): never {
  throw new TributaryError('USAGE', message);
}

/**
 * Parses `topic:partition=offset,...`. Topic names may contain dots and dashes but not `:` or
 * `=`, so the last `:` before `=` separates topic and partition.
 */
export function parseOffsetsSpec(spec: string): Map<string, Map<number, bigint>> {
  const offsets = new Map<string, Map<number, bigint>>();
  for (const part of spec
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)) {
    const match = /^([A-Za-z0-9._-]+):(\d+)=(\d+)$/.exec(part);
    if (!match) usage(`--to-offsets: "${part}" is not topic:partition=offset`);
    const [, topic, partition, offset] = match as unknown as [string, string, string, string];
    const perTopic = offsets.get(topic) ?? new Map<number, bigint>();
    if (perTopic.has(Number(partition))) usage(`--to-offsets: ${topic}:${partition} is given twice`);
    perTopic.set(Number(partition), BigInt(offset));
    offsets.set(topic, perTopic);
  }
  if (offsets.size === 0) usage('--to-offsets: no offsets given');
  return offsets;
}

/** Exactly one of the three target options; each problem is named by its flag. */
export function resolveOffsetTarget(options: {
  toEarliest?: boolean;
  toTimestamp?: string;
  toOffsets?: string;
}): OffsetTarget {
  const chosen = [options.toEarliest, options.toTimestamp, options.toOffsets].filter(
    (value) => value !== undefined && value !== false,
  );
  if (chosen.length !== 1) usage('give exactly one of --to-earliest, --to-timestamp, --to-offsets');
  if (options.toEarliest) return { kind: 'earliest' };
  if (options.toTimestamp !== undefined) {
    // An instant must say its zone: a local time would mean a different offset on every laptop.
    if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(options.toTimestamp))
      usage(
        `--to-timestamp: "${options.toTimestamp}" is not an ISO 8601 instant with a zone (e.g. 2026-11-27T00:00:00Z)`,
      );
    const at = new Date(options.toTimestamp);
    if (Number.isNaN(at.getTime())) usage(`--to-timestamp: "${options.toTimestamp}" is not a valid instant`);
    return { kind: 'timestamp', at };
  }
  return { kind: 'offsets', offsets: parseOffsetsSpec(options.toOffsets ?? '') };
}
