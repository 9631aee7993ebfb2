import type { KafkaMessage } from 'kafkajs';
import type { RawEnvelope } from '../../schemas/rawEnvelope.js';

/** A raw envelope as the CDC producer publishes a payroll row (keyed by its employee_number). */
export function payrollEnvelope(
  stream: string,
  payload: Record<string, unknown>,
  operation: 'upsert' | 'delete' = 'upsert',
  sourceInstance = 'payroll',
): RawEnvelope {
  const hash = 'c'.repeat(64);
  return {
    envelopeVersion: 1,
    eventId: hash,
    sourceSystem: 'postgres-cdc',
    sourceInstance,
    stream,
    naturalKey: String(payload['employee_number']),
    operation,
    observedAt: '2026-11-28T06:00:00.000Z',
    sourceUpdatedAt: null,
    cursor: null,
    request: null,
    contentHash: hash,
    connector: { name: 'cdc', version: '1.0.0' },
    payload,
  };
}

/** The consumed record a stage sees, for stage tests without a broker. */
export function consumedMessage(key: string, value: Buffer | string | null, offset = '0'): KafkaMessage {
  return {
    key: Buffer.from(key),
    value: typeof value === 'string' ? Buffer.from(value) : value,
    offset,
    timestamp: '0',
    attributes: 0,
    headers: {},
    size: 0,
  } as unknown as KafkaMessage;
}
