export { decodeCursorToken, encodeCursorToken } from './cursorToken.js';
export type {
  ErpCostCenter,
  ErpGLAccount,
  ErpInvoice,
  ErpInvoiceLine,
  ErpResourceName,
  ErpVendor,
} from './erp/erpRecords.js';
export { erpEntitySets, erpResourceNames } from './erp/erpRecords.js';
export { ErpSimulator } from './erp/erpSimulator.js';
export type { ErpSimulatorOptions, ErpSimulatorOptionsInput } from './erp/erpSimulatorOptions.js';
export { resolveErpSimulatorOptions } from './erp/erpSimulatorOptions.js';
export type { FaultKind, FaultStats, Faults, FaultsInput } from './faultInjector.js';
export { faultKinds, faultsSchema } from './faultInjector.js';
export type { HrCompensation, HrJob, HrOrgUnit, HrResourceName, HrWorker } from './hr/hrRecords.js';
export { hrResourceNames } from './hr/hrRecords.js';
export { HrSimulator } from './hr/hrSimulator.js';
export type { HrSimulatorOptions, HrSimulatorOptionsInput } from './hr/hrSimulatorOptions.js';
export { resolveHrSimulatorOptions } from './hr/hrSimulatorOptions.js';
export { Prng } from './prng.js';
export type { AuthOptions } from './simulatorAuth.js';
export type { Churn, MutationChange, MutationInput, MutationResult } from './simulatorOptions.js';
export type {
  GroundTruth,
  SimulatorDependencies,
  SimulatorState,
  SimulatorStats,
  StartedSimulator,
  StartOptions,
} from './simulatorServer.js';
export { SimulatorServer } from './simulatorServer.js';
