import type { EntityTableSpec } from './entityTableSpec.js';
import { field, json } from './extractors.js';

/** canonical.vendor (schemas/entities/vendor.ts) → table `vendor` (migrations 0103, 0105). */
export const vendorTable: EntityTableSpec = {
  entity: 'vendor',
  table: 'vendor',
  columns: [
    { name: 'vendor_number', type: 'text', extract: field('vendorNumber') },
    { name: 'legal_name', type: 'text', extract: field('legalName') },
    { name: 'display_name', type: 'text', extract: field('displayName') },
    { name: 'tax_id', type: 'text', extract: field('taxId') },
    { name: 'country_code', type: 'text', extract: field('countryCode') },
    { name: 'default_currency', type: 'text', extract: field('defaultCurrency') },
    { name: 'email', type: 'text', extract: field('email') },
    { name: 'phone', type: 'text', extract: field('phone') },
    { name: 'address', type: 'jsonb', extract: json('address') },
    { name: 'payment_terms_days', type: 'integer', extract: field('paymentTermsDays') },
    { name: 'status', type: 'text', extract: field('status') },
  ],
  children: [],
};
