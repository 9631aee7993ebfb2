import type { EntityTableSpec } from './entityTableSpec.js';
import { field } from './extractors.js';

/** canonical.cost_center (schemas/entities/costCenter.ts) → table `cost_center` (migrations 0102, 0105). */
export const costCenterTable: EntityTableSpec = {
  entity: 'cost_center',
  table: 'cost_center',
  columns: [
    { name: 'cost_center_code', type: 'text', extract: field('costCenterCode') },
    { name: 'name', type: 'text', extract: field('name') },
    { name: 'description', type: 'text', extract: field('description') },
    { name: 'company_code', type: 'text', extract: field('companyCode') },
    { name: 'parent_cost_center_id', type: 'uuid', extract: field('parentCostCenterId') },
    { name: 'owner_id', type: 'uuid', extract: field('ownerId') },
    { name: 'org_unit_id', type: 'uuid', extract: field('orgUnitId') },
    { name: 'valid_from', type: 'date', extract: field('validFrom') },
    { name: 'valid_to', type: 'date', extract: field('validTo') },
    { name: 'active', type: 'boolean', extract: field('active') },
  ],
  children: [],
};
