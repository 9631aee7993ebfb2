import type { EntityTableSpec } from './entityTableSpec.js';
import { field } from './extractors.js';

/** canonical.gl_account (schemas/entities/glAccount.ts) → table `gl_account` (migration 0108). */
export const glAccountTable: EntityTableSpec = {
  entity: 'gl_account',
  table: 'gl_account',
  columns: [
    { name: 'account_number', type: 'text', extract: field('accountNumber') },
    { name: 'name', type: 'text', extract: field('name') },
    { name: 'account_type', type: 'text', extract: field('accountType') },
    { name: 'normal_balance', type: 'text', extract: field('normalBalance') },
    { name: 'currency', type: 'text', extract: field('currency') },
    { name: 'parent_account_id', type: 'uuid', extract: field('parentAccountId') },
    { name: 'active', type: 'boolean', extract: field('active') },
  ],
  children: [],
};
