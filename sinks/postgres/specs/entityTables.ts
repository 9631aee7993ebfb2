import { TributaryError } from '../../../platform/errors.js';
import { costCenterTable } from './costCenterTable.js';
import { employeeTable } from './employeeTable.js';
import type { EntityTableSpec } from './entityTableSpec.js';
import { invoiceTable } from './invoiceTable.js';
import { vendorTable } from './vendorTable.js';

/** Every entity the PostgreSQL sink knows; `--entities` selects from these names. */
export const entityTables: readonly EntityTableSpec[] = [
  employeeTable,
  costCenterTable,
  vendorTable,
  invoiceTable,
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
