import { z } from 'zod/v4';
import { businessKeySchema, postalAddressSchema } from '../fieldTypes.js';

/** A physical or virtual work location. */
export const locationSchema = z
  .strictObject({
    locationCode: businessKeySchema.describe('Location code in the HR system of record; the business key.'),
    name: z.string().nullable().optional().describe('Display name, e.g. "Berlin HQ".'),
    address: postalAddressSchema.nullable().optional().describe('Postal address of the location.'),
    timeZone: z
      .string()
      .regex(/^[A-Za-z_]+(\/[A-Za-z0-9_+-]+)*$/, 'expected an IANA time zone name')
      .nullable()
      .optional()
      .describe('IANA time zone name, e.g. "Europe/Berlin".'),
    remote: z
      .boolean()
      .nullable()
      .optional()
      .describe('True for a virtual location used for remote workers.'),
    active: z.boolean().nullable().optional().describe('Whether the location is currently in use.'),
  })
  .describe('Work location (office, site, or a virtual remote location).');

export type Location = z.output<typeof locationSchema>;
