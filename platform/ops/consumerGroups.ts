import type { Admin } from 'kafkajs';
import { TributaryError } from '../errors.js';
import type { PartitionBounds } from './replayPlan.js';

export interface GroupActivity {
  groupId: string;
  /** Broker state: Empty, Stable, PreparingRebalance, CompletingRebalance or Dead. */
  state: string;
  members: { memberId: string; clientId: string; host: string }[];
}

export async function describeGroupActivity(admin: Admin, groupId: string): Promise<GroupActivity> {
  const { groups } = await admin.describeGroups([groupId]);
  const group = groups.find((entry) => entry.groupId === groupId);
  return {
    groupId,
    state: group?.state ?? 'Dead',
    members: (group?.members ?? []).map((member) => ({
      memberId: member.memberId,
      clientId: member.clientId,
      host: member.clientHost,
    })),
  };
}

/**
 * Offsets may only be moved while nobody consumes: a live member would commit over the reset
 * (processors) or keep writing from its in-memory position (sink).
 */
export async function assertGroupInactive(admin: Admin, groupId: string): Promise<void> {
  const activity = await describeGroupActivity(admin, groupId);
  if (activity.members.length > 0) {
    const who = activity.members.map((member) => `${member.clientId}@${member.host}`).join(', ');
    throw new TributaryError(
      'INVALID_STATE',
      `group ${groupId} has ${activity.members.length} active member(s) (${who}, state ${activity.state}); stop the role (scale its Deployment to 0) before moving its offsets`,
      { details: { groupId, state: activity.state, members: activity.members.length } },
    );
  }
}

/** Committed offsets per topic and partition; null where the group has committed nothing. */
export async function committedOffsets(
  admin: Admin,
  groupId: string,
  topics?: readonly string[],
): Promise<Map<string, Map<number, bigint | null>>> {
  const fetched = await admin.fetchOffsets(
    topics === undefined ? { groupId } : { groupId, topics: [...topics] },
  );
  const result = new Map<string, Map<number, bigint | null>>();
  for (const { topic, partitions } of fetched) {
    result.set(
      topic,
      new Map(
        partitions.map(({ partition, offset }) => [
          partition,
          offset === '-1' || offset === '' ? null : BigInt(offset),
        ]),
      ),
    );
  }
  return result;
}

export async function topicBounds(admin: Admin, topic: string): Promise<Map<number, PartitionBounds>> {
  const offsets = await admin.fetchTopicOffsets(topic);
  return new Map(
    offsets.map((entry) => [entry.partition, { low: BigInt(entry.low), high: BigInt(entry.high) }]),
  );
}

/** First offset per partition whose timestamp is at or after `at`; the log end when there is none. */
export async function offsetsAtTime(
  admin: Admin,
  topic: string,
  at: Date,
  bounds: ReadonlyMap<number, PartitionBounds>,
): Promise<Map<number, bigint>> {
  const offsets = await admin.fetchTopicOffsetsByTimestamp(topic, at.getTime());
  return new Map(
    offsets.map(({ partition, offset }) => [
      partition,
      offset === '-1' ? (bounds.get(partition)?.high ?? 0n) : BigInt(offset),
    ]),
  );
}

/** Moves a group's committed offsets (the group must be inactive; the broker refuses otherwise). */
export async function setGroupOffsets(
  admin: Admin,
  groupId: string,
  topic: string,
  offsets: ReadonlyMap<number, bigint>,
): Promise<void> {
  if (offsets.size === 0) return;
  await admin.setOffsets({
    groupId,
    topic,
    partitions: [...offsets].map(([partition, offset]) => ({ partition, offset: offset.toString() })),
  });
}
