import type { EntityTableSpec } from './entityTableSpec.js';
import { field, json } from './extractors.js';

/** canonical.location (schemas/entities/location.ts) → table `location` (migration 0107). */
export const locationTable: EntityTableSpec = {
  entity: 'location',
  table: 'location',
  columns: [
    { name: 'location_code', type: 'text', extract: field('locationCode') },
    { name: 'name', type: 'text', extract: field('name') },
    { name: 'address', type: 'jsonb', extract: json('address') },
    { name: 'address_city', type: 'text', extract: field('address.city') },
    { name: 'address_country_code', type: 'text', extract: field('address.countryCode') },
    { name: 'time_zone', type: 'text', extract: field('timeZone') },
    { name: 'remote', type: 'boolean', extract: field('remote') },
    { name: 'active', type: 'boolean', extract: field('active') },
  ],
  children: [],
};
