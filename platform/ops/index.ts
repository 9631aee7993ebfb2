export {
  assertGroupInactive,
  committedOffsets,
  describeGroupActivity,
  topicBounds,
} from './consumerGroups.js';
export { type DlqEntry, parseDlqEntry, redriveHeaders } from './dlqEntry.js';
export { readDlq, readDlqEntry } from './dlqReader.js';
export { type RedriveOptions, type RedriveResult, redriveDlq } from './dlqRedrive.js';
export { type DlqSelector, resolveDlqSelector } from './dlqSelection.js';
export { type MetricSample, parsePrometheusText, scrapeMetrics } from './metricsScrape.js';
export { type OffsetTarget, parseOffsetsSpec, resolveOffsetTarget } from './offsetTarget.js';
export { readOffsetRanges } from './partitionRangeReader.js';
export {
  type DeadLetterFinding,
  type DriftFinding,
  type DriftKind,
  type ReconcileOptionsInput,
  type ReconcileReport,
  type ReconcileStage,
  reconcile,
  type StageFigures,
} from './reconcile.js';
export { diffKeys, type KeyDiff, setChecksum } from './reconcileDiff.js';
export { exportReconcileMetrics } from './reconcileMetrics.js';
export {
  type DeadLetterOrigin,
  parseRawKey,
  type RawLiveRecord,
  type RawLiveRecords,
  readCanonicalLive,
  readDeadLetterOrigins,
  readPostgresLive,
  readRawLive,
} from './reconcileReaders.js';
export { formatReconcile, reconcileExitCode, reconcileReport } from './reconcileReport.js';
export {
  type GroundTruthReader,
  httpSimulatorTruth,
  inProcessSimulatorTruth,
  payrollTruth,
  type SourceRecord,
  type SourceTruth,
  simulatorTruth,
} from './reconcileSources.js';
export { expectedCanonicalId, type ReconcileStream, reconcileStreams } from './reconcileStreams.js';
export { loadLedger, redriveLedgerTopic } from './redriveLedger.js';
export { type ReplayOptionsInput, type ReplayResult, replay } from './replay.js';
export { planRow, type ReplayPlanRow } from './replayPlan.js';
export { collectStatus, type StatusOptions, type StatusReport } from './status.js';
