/** The log bounds of one partition: `low` is the first readable offset, `high` the next to be written. */
export interface PartitionBounds {
  low: bigint;
  high: bigint;
}

/** One partition of a replay: where the group is, where it will be, and what that re-reads. */
export interface ReplayPlanRow {
  topic: string;
  partition: number;
  /**
   * The position the group resumes from today: the stored offset for the sink, the committed
   * offset for Kafka groups; null when nothing is committed (the role starts at the log start).
   */
  current: bigint | null;
  /** Kafka's committed offset for the group, shown next to the stored one for the sink. */
  kafkaCommitted: bigint | null;
  target: bigint;
  bounds: PartitionBounds;
  /**
   * Offsets between target and the resume position that will be read again. On compacted
   * topics some of those offsets are gone, so this is an upper bound of the records re-read.
   */
  replayOffsets: bigint;
  /** Offsets skipped when the target is ahead of the current position (a forward move). */
  skipOffsets: bigint;
}

/** Keeps a target inside the log: below the start it means the start, past the end the end. */
export function clampOffset(offset: bigint, bounds: PartitionBounds): bigint {
  if (offset < bounds.low) return bounds.low;
  if (offset > bounds.high) return bounds.high;
  return offset;
}

export function planRow(input: {
  topic: string;
  partition: number;
  current: bigint | null;
  kafkaCommitted: bigint | null;
  target: bigint;
  bounds: PartitionBounds;
}): ReplayPlanRow {
  const target = clampOffset(input.target, input.bounds);
  // Nothing committed: Tributary's roles start at the beginning (fromBeginning), so that is "now".
  const resumeAt = clampOffset(input.current ?? input.bounds.low, input.bounds);
  return {
    ...input,
    target,
    replayOffsets: resumeAt > target ? resumeAt - target : 0n,
    skipOffsets: target > resumeAt ? target - resumeAt : 0n,
  };
}

export function planTotals(rows: readonly ReplayPlanRow[]): { replayOffsets: bigint; skipOffsets: bigint } {
  return rows.reduce(
    (sum, row) => ({
      replayOffsets: sum.replayOffsets + row.replayOffsets,
      skipOffsets: sum.skipOffsets + row.skipOffsets,
    }),
    { replayOffsets: 0n, skipOffsets: 0n },
  );
}
