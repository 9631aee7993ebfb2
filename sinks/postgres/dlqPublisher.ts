import type { IHeaders, Producer } from 'kafkajs';
import { deadLetterHeaders as dlqHeaders } from '../../platform/deadLetterHeaders.js';
import { TributaryError } from '../../platform/errors.js';
import type { RejectedRecord } from './writeBatch.js';

/** The sink writes the same dead-letter headers as the processors. */
export { dlqHeaders };

/** Sends rejected records, value unchanged (still wire-encoded), with the error and their origin. */
export function createDlqPublisher(producer: Producer, dlqTopic: string) {
  return async function publish(rejected: readonly RejectedRecord[], attempt: number): Promise<void> {
    await producer.send({
      topic: dlqTopic,
      acks: -1,
      messages: rejected.map(({ record, error, stage }) => {
        const headers: IHeaders = {
          [dlqHeaders.error]: error.message.slice(0, 2000),
          [dlqHeaders.errorCode]: error instanceof TributaryError ? error.code : error.name,
          [dlqHeaders.stage]: stage,
          [dlqHeaders.topic]: record.topic,
          [dlqHeaders.partition]: String(record.partition),
          [dlqHeaders.offset]: record.offset.toString(),
          [dlqHeaders.attempts]: String(attempt),
          [dlqHeaders.failedAt]: new Date().toISOString(),
        };
        if (error instanceof TributaryError && typeof error.details['sqlstate'] === 'string') {
          headers[dlqHeaders.sqlstate] = error.details['sqlstate'];
        }
        // The original encoded bytes, so a redrive after a fix replays exactly what was consumed.
        const value = record.kind === 'delete' ? null : record.raw;
        return { key: record.key, value, headers };
      }),
    });
  };
}
