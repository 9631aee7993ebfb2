export { type BackoffPolicy, backoffDelay, defaultBackoff } from './backoff.js';
export { type DedupedBatch, dedupeBatch } from './dedupeBatch.js';
export { compareAndSetOffset, OffsetConflictError, readStoredOffset } from './offsetStore.js';
export { PostgresSink, type PostgresSinkDeps } from './postgresSink.js';
export { type RunPostgresSinkOptions, runPostgresSink } from './runPostgresSink.js';
export {
  type PostgresSinkOptions,
  type PostgresSinkOptionsInput,
  resolvePostgresSinkOptions,
} from './sinkOptions.js';
export type { SinkRecord } from './sinkRecord.js';
export type { ChildTableSpec, ColumnSpec, EntityTableSpec, PgColumnType } from './specs/entityTableSpec.js';
export { entityTables, selectEntityTables } from './specs/entityTables.js';
export { createTableStatements, type TableStatements } from './tableStatements.js';
export { isRowRejection, type RejectedRecord, writeBatch } from './writeBatch.js';
