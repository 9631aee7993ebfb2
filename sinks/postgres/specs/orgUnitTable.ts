import type { EntityTableSpec } from './entityTableSpec.js';
import { field } from './extractors.js';

/** canonical.org_unit (schemas/entities/orgUnit.ts) → table `org_unit` (migration 0106). */
export const orgUnitTable: EntityTableSpec = {
  entity: 'org_unit',
  table: 'org_unit',
  columns: [
    { name: 'org_unit_code', type: 'text', extract: field('orgUnitCode') },
    { name: 'name', type: 'text', extract: field('name') },
    { name: 'kind', type: 'text', extract: field('kind') },
    { name: 'parent_org_unit_id', type: 'uuid', extract: field('parentOrgUnitId') },
    { name: 'manager_id', type: 'uuid', extract: field('managerId') },
    { name: 'cost_center_id', type: 'uuid', extract: field('costCenterId') },
    { name: 'active', type: 'boolean', extract: field('active') },
  ],
  children: [],
};
