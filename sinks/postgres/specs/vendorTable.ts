import type { EntityTableSpec } from './entityTableSpec.js';
import { field, json } from './extractors.js';

/** canonical.vendor → table `vendor` (migration 0103). */
export const vendorTable: EntityTableSpec = {
  entity: 'vendor',
  table: 'vendor',
  columns: [
    { name: 'vendor_number', type: 'text', extract: field('vendorNumber') },
    { name: 'name', type: 'text', extract: field('name') },
    { name: 'legal_name', type: 'text', extract: field('legalName') },
    { name: 'tax_id', type: 'text', extract: field('taxId') },
    { name: 'country', type: 'text', extract: field('country') },
    { name: 'default_currency', type: 'text', extract: field('defaultCurrency') },
    { name: 'payment_terms', type: 'text', extract: field('paymentTerms') },
    { name: 'status', type: 'text', extract: field('status') },
    { name: 'email', type: 'text', extract: field('email') },
    { name: 'address', type: 'jsonb', extract: json('address') },
  ],
  children: [],
};
