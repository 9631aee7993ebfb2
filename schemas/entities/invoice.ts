import { z } from 'zod/v4';
import { businessKeySchema, canonicalRefSchema, isoDateSchema } from '../fieldTypes.js';
import { currencyCodeSchema, decimalStringSchema, moneySchema } from '../money.js';

export const invoiceStatuses = [
  'draft',
  'open',
  'approved',
  'partially_paid',
  'paid',
  'void',
  'cancelled',
] as const;

export const invoiceLineSchema = z
  .strictObject({
    lineNumber: z.number().int().min(1).describe('Position of the line on the invoice, starting at 1.'),
    description: z.string().nullable().optional().describe('What was bought.'),
    quantity: decimalStringSchema.nullable().optional().describe('Quantity as a decimal string.'),
    unitPrice: decimalStringSchema
      .nullable()
      .optional()
      .describe(
        'Price per unit as a decimal string in the invoice currency; may be finer than the minor unit.',
      ),
    netAmount: moneySchema.nullable().optional().describe('Line amount before tax.'),
    taxAmount: moneySchema.nullable().optional().describe('Tax charged on the line.'),
    taxRatePercent: decimalStringSchema
      .nullable()
      .optional()
      .describe('Tax rate applied to the line in percent, e.g. "19" for 19 %.'),
    glAccountId: canonicalRefSchema('gl_account')
      .nullable()
      .optional()
      .describe('Canonical id of the GL account the line is booked to.'),
    costCenterId: canonicalRefSchema('cost_center')
      .nullable()
      .optional()
      .describe('Canonical id of the cost center the line is charged to.'),
  })
  .describe('One line of an invoice.');

/** A supplier (accounts payable) invoice with its lines. */
export const invoiceSchema = z
  .strictObject({
    vendorNumber: businessKeySchema.describe(
      'Vendor number of the issuing vendor; part of the business key.',
    ),
    invoiceNumber: businessKeySchema.describe(
      'Invoice number as printed by the vendor; part of the business key.',
    ),
    vendorId: canonicalRefSchema('vendor')
      .nullable()
      .optional()
      .describe('Canonical id of the issuing vendor.'),
    status: z.enum(invoiceStatuses).nullable().optional().describe('Payment/approval status of the invoice.'),
    currency: currencyCodeSchema.nullable().optional().describe('Invoice (document) currency, ISO 4217.'),
    invoiceDate: isoDateSchema.nullable().optional().describe('Date printed on the invoice (ISO 8601).'),
    dueDate: isoDateSchema.nullable().optional().describe('Date payment is due (ISO 8601).'),
    postingDate: isoDateSchema
      .nullable()
      .optional()
      .describe('Date the invoice was posted to the ledger (ISO 8601).'),
    paidDate: isoDateSchema.nullable().optional().describe('Date the invoice was paid in full (ISO 8601).'),
    subtotal: moneySchema.nullable().optional().describe('Sum of line net amounts, before tax.'),
    taxTotal: moneySchema.nullable().optional().describe('Total tax on the invoice.'),
    total: moneySchema.nullable().optional().describe('Gross total: subtotal plus tax.'),
    amountDue: moneySchema.nullable().optional().describe('Amount still to be paid.'),
    totalReporting: moneySchema
      .nullable()
      .optional()
      .describe(
        'Gross total converted to the reporting currency (default USD) at the latest rate on or before invoiceDate; provenance names the rate, its source and date.',
      ),
    lines: z
      .array(invoiceLineSchema)
      .optional()
      .describe('Invoice lines in order; absent when the source has none.'),
  })
  .describe(
    'Invoice: a supplier (accounts payable) invoice with amounts, tax, currency, dates, status and lines.',
  );

export type Invoice = z.output<typeof invoiceSchema>;
export type InvoiceLine = z.output<typeof invoiceLineSchema>;
