import type { EntityTableSpec } from './entityTableSpec.js';
import { field } from './extractors.js';

/** canonical.fx_rate (schemas/entities/fxRate.ts) → table `fx_rate` (migration 0109). */
export const fxRateTable: EntityTableSpec = {
  entity: 'fx_rate',
  table: 'fx_rate',
  columns: [
    { name: 'base_currency', type: 'text', extract: field('baseCurrency') },
    { name: 'quote_currency', type: 'text', extract: field('quoteCurrency') },
    { name: 'rate_date', type: 'date', extract: field('rateDate') },
    { name: 'rate_type', type: 'text', extract: field('rateType') },
    { name: 'provider', type: 'text', extract: field('provider') },
    { name: 'rate', type: 'numeric', extract: field('rate') },
  ],
  children: [],
};
