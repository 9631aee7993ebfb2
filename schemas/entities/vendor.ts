import { z } from 'zod/v4';
import {
  businessKeySchema,
  countryCodeSchema,
  e164PhoneSchema,
  emailSchema,
  postalAddressSchema,
} from '../fieldTypes.js';
import { currencyCodeSchema } from '../money.js';

export const vendorStatuses = ['active', 'inactive', 'blocked'] as const;

/** A supplier the company buys from and pays (accounts payable). */
export const vendorSchema = z
  .strictObject({
    vendorNumber: businessKeySchema.describe('Vendor number in the ERP of record; the business key.'),
    legalName: z.string().nullable().optional().describe('Registered legal name of the supplier.'),
    displayName: z.string().nullable().optional().describe('Short name used in the ERP.'),
    taxId: z.string().nullable().optional().describe('Tax registration number (e.g. VAT id, EIN) as issued.'),
    countryCode: countryCodeSchema
      .nullable()
      .optional()
      .describe('Country of registration, ISO 3166-1 alpha-2.'),
    defaultCurrency: currencyCodeSchema
      .nullable()
      .optional()
      .describe('Currency the vendor invoices in by default, ISO 4217.'),
    email: emailSchema.nullable().optional().describe('Accounts-receivable contact e-mail of the vendor.'),
    phone: e164PhoneSchema.nullable().optional().describe('Contact phone number in E.164 form.'),
    address: postalAddressSchema.nullable().optional().describe('Remit-to postal address.'),
    paymentTermsDays: z
      .number()
      .int()
      .min(0)
      .max(3650)
      .nullable()
      .optional()
      .describe('Payment terms: days after invoice date the payment is due (e.g. 30 for "net 30").'),
    status: z.enum(vendorStatuses).nullable().optional().describe('Whether the vendor may be used and paid.'),
  })
  .describe('Vendor: a supplier the company buys from and pays.');

export type Vendor = z.output<typeof vendorSchema>;
