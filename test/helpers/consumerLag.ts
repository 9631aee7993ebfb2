import type { Admin, Kafka } from 'kafkajs';
import { groupBacklog } from '../../platform/consumerLag.js';

/** Waits until every group has consumed every committed record of its topics. */
export async function waitUntilCaughtUp(
  kafka: Kafka,
  admin: Admin,
  groups: readonly [string, readonly string[]][],
  timeoutMs = 120_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const detail: string[] = [];
    for (const [group, topics] of groups) {
      const behind = await groupBacklog(kafka, admin, group, topics);
      if (behind > 0) detail.push(`${group}: ${behind}`);
    }
    if (detail.length === 0) return;
    if (Date.now() > deadline)
      throw new Error(`consumer groups still behind after ${timeoutMs} ms: ${detail.join('; ')}`);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
}

/** Waits until a group has no members (a SIGKILLed member lingers until its session times out). */
export async function waitForEmptyGroup(admin: Admin, groupId: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { groups } = await admin.describeGroups([groupId]);
    const state = groups[0]?.state ?? 'Dead';
    if (state === 'Empty' || state === 'Dead') return;
    if (Date.now() > deadline) throw new Error(`group ${groupId} still ${state} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}
