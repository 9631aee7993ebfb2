import type { IHeaders, Producer } from 'kafkajs';
import { deadLetterHeaders } from '../../platform/deadLetterHeaders.js';
import { TributaryError } from '../../platform/errors.js';
import type { RejectedRecord } from './writeBatch.js';

/** Sends rejected records, value unchanged (still wire-encoded), with the error and their origin (the processors' dead-letter headers). */
export function createDlqPublisher(producer: Producer, dlqTopic: string) {
  return async function publish(rejected: readonly RejectedRecord[], attempt: number): Promise<void> {
    await producer.send({
      topic: dlqTopic,
      acks: -1,
      messages: rejected.map(({ record, error, stage }) => {
        const headers: IHeaders = {
          [deadLetterHeaders.error]: error.message.slice(0, 2000),
          [deadLetterHeaders.errorCode]: error instanceof TributaryError ? error.code : error.name,
          [deadLetterHeaders.stage]: stage,
          [deadLetterHeaders.topic]: record.topic,
          [deadLetterHeaders.partition]: String(record.partition),
          [deadLetterHeaders.offset]: record.offset.toString(),
          [deadLetterHeaders.attempts]: String(attempt),
          [deadLetterHeaders.failedAt]: new Date().toISOString(),
        };
        if (error instanceof TributaryError && typeof error.details['sqlstate'] === 'string') {
          headers[deadLetterHeaders.sqlstate] = error.details['sqlstate'];
        }
        // The original encoded bytes, so a redrive after a fix replays exactly what was consumed.
        const value = record.kind === 'delete' ? null : record.raw;
        return { key: record.key, value, headers };
      }),
    });
  };
}
