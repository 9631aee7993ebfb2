import { z } from 'zod/v4';

/**
 * Field types shared by the canonical entities. Each carries a pattern that the generated JSON
 * Schema keeps, so consumers without zod enforce the same rule.
 */
export const isoDateSchema = z.iso.date().describe('Calendar date, ISO 8601 "YYYY-MM-DD".');

export const instantSchema = z.iso
  .datetime()
  .describe('Instant, ISO 8601 in UTC with "Z", e.g. "2026-11-27T09:30:00Z".');

export const countryCodeSchema = z
  .string()
  .regex(/^[A-Z]{2}$/, 'expected an ISO 3166-1 alpha-2 country code')
  .describe('ISO 3166-1 alpha-2 country code, upper case, e.g. "DE".');

export const e164PhoneSchema = z
  .string()
  .regex(/^\+[1-9]\d{1,14}$/, 'expected an E.164 phone number')
  .describe(
    'Phone number in E.164 form: "+", country code and subscriber number, no spaces, e.g. "+4930123456".',
  );

export const emailSchema = z.email().describe('E-mail address.');

/** Reference to another canonical entity by its canonical id (UUIDv5 of that entity's business key). */
export function canonicalRefSchema(entity: string) {
  return z.uuid().describe(`Canonical id of the referenced ${entity} (UUIDv5 of its business key).`);
}

/** A business key or source code: trimmed, non-empty text. */
export const businessKeySchema = z
  .string()
  .min(1)
  .max(200)
  .regex(/^\S(.*\S)?$/, 'expected no leading or trailing whitespace')
  .describe('Business key: non-empty text without leading or trailing whitespace.');

export const postalAddressSchema = z
  .strictObject({
    lines: z
      .array(z.string().min(1).describe('One address line.'))
      .describe('Street address lines in order (street, number, building, floor).'),
    city: z.string().nullable().optional().describe('City or locality.'),
    region: z.string().nullable().optional().describe('State, province or region as written in the address.'),
    postalCode: z.string().nullable().optional().describe('Postal or ZIP code as written in the address.'),
    countryCode: countryCodeSchema.nullable().optional().describe('Country, ISO 3166-1 alpha-2.'),
  })
  .describe('Postal address.');
