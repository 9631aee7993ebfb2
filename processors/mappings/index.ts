import type { CrosswalkDefinition } from '../crosswalk.js';
import type { Mapping } from '../mapping.js';
import type { MergePolicy } from '../merge.js';
import { erpCostCentersMapping } from './erpCostCenters.js';
import { erpFxRatesMapping } from './erpFxRates.js';
import { erpInvoicesMapping } from './erpInvoices.js';
import { erpVendorsMapping } from './erpVendors.js';
import { hrOrgUnitsMapping } from './hrOrgUnits.js';
import { hrWorkersMapping } from './hrWorkers.js';
import { payrollEmployeeCrosswalk, payrollEmployeesMapping, payrollPayRatesMapping } from './payroll.js';

/** Every mapping the map stage runs. Add a mapping here, then bump its version on every change. */
export const mappings: readonly Mapping[] = [
  hrWorkersMapping,
  hrOrgUnitsMapping,
  erpVendorsMapping,
  erpCostCentersMapping,
  erpInvoicesMapping,
  erpFxRatesMapping,
  payrollEmployeesMapping,
  payrollPayRatesMapping,
];

/** Every crosswalk the mappings resolve through; the map stage tails each one's raw topic. */
export const crosswalks: readonly CrosswalkDefinition[] = [payrollEmployeeCrosswalk];

/**
 * Survivorship per entity. HR is the system of record for people; payroll (CDC) for pay; the
 * ERP for finance master data. Fields without a rule take the most recent value.
 */
export const mergePolicies: Readonly<Record<string, MergePolicy>> = {
  employee: {
    fields: {
      givenName: { strategy: 'source-priority', order: ['hr-sim', 'postgres-cdc'] },
      familyName: { strategy: 'source-priority', order: ['hr-sim', 'postgres-cdc'] },
      employmentStatus: { strategy: 'source-priority', order: ['hr-sim', 'postgres-cdc'] },
      compensation: { strategy: 'source-priority', order: ['postgres-cdc', 'hr-sim'] },
    },
    defaultRule: { strategy: 'most-recent' },
  },
  cost_center: { fields: {}, defaultRule: { strategy: 'source-priority', order: ['erp-sim', 'hr-sim'] } },
};
