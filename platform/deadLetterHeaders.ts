/**
 * Header names every dead-letter record carries — processors (`dlq.processor`) and the sink
 * (`dlq.sink`) alike — so `tributary dlq` lists, selects and redrives both the same way.
 */
export const deadLetterHeaders = {
  error: 'tributary.dlq.error',
  errorCode: 'tributary.dlq.error-code',
  /** PostgreSQL SQLSTATE of a row the sink's database rejected (sink only). */
  sqlstate: 'tributary.dlq.sqlstate',
  stage: 'tributary.dlq.stage',
  topic: 'tributary.dlq.original-topic',
  partition: 'tributary.dlq.original-partition',
  offset: 'tributary.dlq.original-offset',
  attempts: 'tributary.dlq.attempts',
  failedAt: 'tributary.dlq.failed-at',
} as const;

/**
 * The names the sink wrote before it used `deadLetterHeaders`: still read (DLQ topics keep such
 * records for their retention), never written.
 */
export const legacySinkDlqHeaders = {
  error: 'tributary.error',
  errorCode: 'tributary.error.code',
  sqlstate: 'tributary.error.sqlstate',
  stage: 'tributary.stage',
  topic: 'tributary.original.topic',
  partition: 'tributary.original.partition',
  offset: 'tributary.original.offset',
  attempts: 'tributary.attempt',
} as const;
