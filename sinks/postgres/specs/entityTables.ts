import { TributaryError } from '../../../platform/errors.js';
import { costCenterTable } from './costCenterTable.js';
import { employeeTable } from './employeeTable.js';
import type { EntityTableSpec } from './entityTableSpec.js';
import { fxRateTable } from './fxRateTable.js';
import { glAccountTable } from './glAccountTable.js';
import { invoiceTable } from './invoiceTable.js';
import { locationTable } from './locationTable.js';
import { orgUnitTable } from './orgUnitTable.js';
import { vendorTable } from './vendorTable.js';

/**
 * Every entity the PostgreSQL sink knows, one per contract in schemas/entityCatalog.ts (a unit
 * test keeps the two lists equal); `--entities` selects from these names.
 */
export const entityTables: readonly EntityTableSpec[] = [
  employeeTable,
  orgUnitTable,
  costCenterTable,
  locationTable,
  vendorTable,
  invoiceTable,
  glAccountTable,
  fxRateTable,
];

export function selectEntityTables(names: readonly string[] | undefined): EntityTableSpec[] {
  if (names === undefined || names.length === 0) return [...entityTables];
  return names.map((name) => {
    const spec = entityTables.find((candidate) => candidate.entity === name);
    if (!spec) {
      throw new TributaryError(
        'USAGE',
        `unknown entity ${name}; known: ${entityTables.map((candidate) => candidate.entity).join(', ')}`,
      );
    }
    return spec;
  });
}
