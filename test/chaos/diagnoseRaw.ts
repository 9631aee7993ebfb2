import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Kafka } from 'kafkajs';
import { readTopicToEnd } from '../../platform/topicReader.js';

interface Write {
  partition: number;
  offset: string;
  operation: string;
  updatedAt: string;
}

function describeWrite(write: Write): string {
  return `${write.partition}/${write.offset} ${write.operation} ${write.updatedAt}`;
}

/**
 * Explains raw records that differ from their source: every write of each key as a read_uncommitted
 * reader sees it (aborted and open transactions included) next to what read_committed readers see,
 * and each partition's last stable offset against the highest offset written. Tells apart "never
 * published" (a producer cursor or dedupe bug), "published in a transaction that did not commit",
 * and "stuck behind an open transaction" (a hanging transaction holds the LSO back).
 */
export async function diagnoseRawKeys(
  kafka: Kafka,
  topic: string,
  keys: readonly string[],
  sourceUpdatedAt: (key: string) => string | undefined,
): Promise<string[]> {
  const wanted = new Set(keys);
  const uncommitted = new Map<string, Write[]>();
  const highestSeen = new Map<number, bigint>();
  const consumer = kafka.consumer({ groupId: `tributary-diagnose-${randomUUID()}`, readUncommitted: true });
  let lastMessageAt = Date.now();
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ message, partition }) => {
        lastMessageAt = Date.now();
        const offset = BigInt(message.offset);
        if (offset > (highestSeen.get(partition) ?? -1n)) highestSeen.set(partition, offset);
        const key = message.key?.toString() ?? '';
        if (!wanted.has(key)) return;
        uncommitted.set(key, [
          ...(uncommitted.get(key) ?? []),
          writeOf(partition, message.offset, message.value),
        ]);
      },
    });
    const started = Date.now();
    while (Date.now() - lastMessageAt < 3_000 && Date.now() - started < 20_000)
      await new Promise((resolve) => setTimeout(resolve, 250));
  } finally {
    await consumer.disconnect().catch(() => undefined);
  }
  const committed = new Map<string, Set<string>>();
  await readTopicToEnd({
    kafka,
    topic,
    onMessage: (message, partition) => {
      const key = message.key?.toString() ?? '';
      if (!wanted.has(key)) return;
      committed.set(key, (committed.get(key) ?? new Set()).add(`${partition}/${message.offset}`));
    },
  });
  const admin = kafka.admin();
  await admin.connect();
  const stable = await admin.fetchTopicOffsets(topic).finally(() => admin.disconnect());
  const lines = [
    `  ${topic}: last stable offset / highest written per partition: ${stable
      .map((p) => `${p.partition}: ${p.high}/${(highestSeen.get(p.partition) ?? -1n) + 1n}`)
      .join(', ')}`,
  ];
  for (const key of keys) {
    const writes = uncommitted.get(key) ?? [];
    const seen = committed.get(key) ?? new Set<string>();
    const described = writes.map(
      (write) =>
        `${describeWrite(write)}${seen.has(`${write.partition}/${write.offset}`) ? '' : ' (NOT COMMITTED)'}`,
    );
    lines.push(
      `  ${key}: source updatedAt ${sourceUpdatedAt(key) ?? '(deleted)'}; writes: ${described.length > 0 ? described.join('; ') : 'none'}`,
    );
  }
  return lines;
}

function writeOf(partition: number, offset: string, value: Buffer | null): Write {
  if (value === null) return { partition, offset, operation: 'tombstone', updatedAt: '' };
  try {
    const envelope = JSON.parse(value.toString('utf8')) as {
      operation?: string;
      sourceUpdatedAt?: string | null;
    };
    return {
      partition,
      offset,
      operation: envelope.operation ?? '?',
      updatedAt: envelope.sourceUpdatedAt ?? '',
    };
  } catch {
    return { partition, offset, operation: 'unreadable', updatedAt: '' };
  }
}

/** The last warnings and errors of a role's log (pino JSON lines), for a failure report. */
export function roleLogProblems(path: string, limit = 25): string[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return [];
  }
  const lines: string[] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('---')) {
      lines.push(`  ${line}`);
      continue;
    }
    try {
      const entry = JSON.parse(line) as {
        level?: number;
        time?: string;
        msg?: string;
        stream?: string;
        err?: { message?: string };
      };
      if (
        (entry.level ?? 0) < 40 ||
        entry.msg?.startsWith('Connection error') ||
        entry.msg?.startsWith('Failed to connect')
      )
        continue;
      lines.push(
        `  ${entry.time ?? ''} ${entry.stream ?? ''} ${entry.msg ?? ''}${entry.err?.message ? `: ${entry.err.message.slice(0, 160)}` : ''}`,
      );
    } catch {
      // not a log line
    }
  }
  return lines.slice(-limit);
}
