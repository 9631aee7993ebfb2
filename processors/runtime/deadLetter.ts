import type { IHeaders, KafkaMessage } from 'kafkajs';
import { deadLetterHeaders } from '../../platform/deadLetterHeaders.js';
import { errorMessage, TributaryError } from '../../platform/errors.js';
import type { OutboundRecord } from '../../platform/outboundRecords.js';

export interface DeadLetterInput {
  dlqTopic: string;
  stage: string;
  topic: string;
  partition: number;
  message: KafkaMessage;
  error: unknown;
  attempts: number;
}

/** The original bytes, key and headers, plus headers naming the error and the origin. */
export function deadLetterRecord(input: DeadLetterInput): OutboundRecord {
  const previousAttempts = Number(input.message.headers?.[deadLetterHeaders.attempts]?.toString() ?? '0');
  const headers: IHeaders = {
    ...(input.message.headers ?? {}),
    [deadLetterHeaders.error]: errorMessage(input.error).slice(0, 2_000),
    [deadLetterHeaders.errorCode]: input.error instanceof TributaryError ? input.error.code : 'UNEXPECTED',
    [deadLetterHeaders.stage]: input.stage,
    [deadLetterHeaders.topic]: input.topic,
    [deadLetterHeaders.partition]: String(input.partition),
    [deadLetterHeaders.offset]: input.message.offset,
    [deadLetterHeaders.attempts]: String(previousAttempts + input.attempts),
    [deadLetterHeaders.failedAt]: new Date().toISOString(),
  };
  return {
    topic: input.dlqTopic,
    key: input.message.key?.toString('utf8') ?? `${input.topic}/${input.partition}/${input.message.offset}`,
    value: input.message.value,
    headers,
  };
}
