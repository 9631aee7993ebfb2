export {
  assertGroupInactive,
  committedOffsets,
  describeGroupActivity,
  topicBounds,
} from './consumerGroups.js';
export { type DlqEntry, parseDlqEntry, redriveHeaders, sinkDlqHeaders } from './dlqEntry.js';
export { readDlq, readDlqEntry } from './dlqReader.js';
export { type RedriveOptions, type RedriveResult, redriveDlq } from './dlqRedrive.js';
export { type DlqSelector, resolveDlqSelector } from './dlqSelection.js';
export { type MetricSample, parsePrometheusText, scrapeMetrics } from './metricsScrape.js';
export { type OffsetTarget, parseOffsetsSpec, resolveOffsetTarget } from './offsetTarget.js';
export { readOffsetRanges } from './partitionRangeReader.js';
export { loadLedger, redriveLedgerTopic } from './redriveLedger.js';
export { type ReplayOptionsInput, type ReplayResult, replay } from './replay.js';
export { planRow, type ReplayPlanRow } from './replayPlan.js';
export { collectStatus, type StatusOptions, type StatusReport } from './status.js';
