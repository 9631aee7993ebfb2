import type { EntityTableSpec } from './entityTableSpec.js';
import { field } from './extractors.js';

/** canonical.cost_center → table `cost_center` (migration 0102). */
export const costCenterTable: EntityTableSpec = {
  entity: 'cost_center',
  table: 'cost_center',
  columns: [
    { name: 'code', type: 'text', extract: field('code') },
    { name: 'name', type: 'text', extract: field('name') },
    { name: 'company_code', type: 'text', extract: field('companyCode') },
    { name: 'parent_id', type: 'uuid', extract: field('parentId') },
    { name: 'owner_employee_id', type: 'uuid', extract: field('ownerEmployeeId') },
    { name: 'currency', type: 'text', extract: field('currency') },
    { name: 'active', type: 'boolean', extract: field('active') },
    { name: 'valid_from', type: 'date', extract: field('validFrom') },
    { name: 'valid_to', type: 'date', extract: field('validTo') },
  ],
  children: [],
};
