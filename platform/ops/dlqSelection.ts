import { TributaryError } from '../errors.js';
import type { DlqEntry } from './dlqEntry.js';
import { containsOffset, type OffsetRanges } from './redriveLedger.js';

/** Which DLQ entries a redrive takes. */
export type DlqSelector =
  | { kind: 'all' }
  | { kind: 'errorCode'; code: string }
  | { kind: 'offsets'; partition: number; from: bigint; to: bigint };

/** Parses `--offsets p:from-to` (inclusive) or `p:offset`. */
export function parseOffsetRangeSpec(spec: string): DlqSelector {
  const match = /^(\d+):(\d+)(?:-(\d+))?$/.exec(spec.trim());
  if (!match) throw new TributaryError('USAGE', `--offsets: "${spec}" is not partition:from-to`);
  const [, partition, from, to] = match as unknown as [string, string, string, string | undefined];
  const range = {
    kind: 'offsets' as const,
    partition: Number(partition),
    from: BigInt(from),
    to: BigInt(to ?? from),
  };
  if (range.to < range.from) throw new TributaryError('USAGE', `--offsets: ${spec} ends before it starts`);
  return range;
}

export function resolveDlqSelector(options: {
  offsets?: string;
  errorCode?: string;
  all?: boolean;
}): DlqSelector {
  const chosen = [options.offsets, options.errorCode, options.all].filter(
    (value) => value !== undefined && value !== false,
  );
  if (chosen.length !== 1)
    throw new TributaryError('USAGE', 'give exactly one of --offsets, --error-code, --all');
  if (options.all) return { kind: 'all' };
  if (options.errorCode !== undefined) return { kind: 'errorCode', code: options.errorCode };
  return parseOffsetRangeSpec(options.offsets ?? '');
}

export function matchesSelector(entry: DlqEntry, selector: DlqSelector): boolean {
  switch (selector.kind) {
    case 'all':
      return true;
    case 'errorCode':
      return entry.errorCode === selector.code;
    case 'offsets':
      return (
        entry.dlqPartition === selector.partition &&
        entry.dlqOffset >= selector.from &&
        entry.dlqOffset <= selector.to
      );
  }
}

export type SkipReason = 'already-redriven' | 'no-origin' | 'superseded';

export interface RedriveDecision {
  entry: DlqEntry;
  action: 'redrive' | SkipReason;
}

/**
 * Decides per selected entry. `supersededBy` says whether the original topic holds a newer
 * record with the same key after the failed one: putting the old bytes back on a compacted
 * topic would then make the stale version the latest.
 */
export function decideRedrives(
  entries: readonly DlqEntry[],
  selector: DlqSelector,
  ledger: ReadonlyMap<number, OffsetRanges>,
  isSuperseded: (entry: DlqEntry) => boolean,
): RedriveDecision[] {
  return entries
    .filter((entry) => matchesSelector(entry, selector))
    .map((entry) => {
      if (containsOffset(ledger.get(entry.dlqPartition) ?? [], entry.dlqOffset))
        return { entry, action: 'already-redriven' as const };
      if (entry.originTopic === null || entry.originPartition === null)
        return { entry, action: 'no-origin' as const };
      if (isSuperseded(entry)) return { entry, action: 'superseded' as const };
      return { entry, action: 'redrive' as const };
    });
}
