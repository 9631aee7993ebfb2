import { z } from 'zod/v4';
import { businessKeySchema, canonicalRefSchema } from '../fieldTypes.js';
import { currencyCodeSchema } from '../money.js';

export const glAccountTypes = ['asset', 'liability', 'equity', 'revenue', 'expense'] as const;

/** An account of the general ledger (chart of accounts). */
export const glAccountSchema = z
  .strictObject({
    accountNumber: businessKeySchema.describe('Account number in the chart of accounts; the business key.'),
    name: z.string().nullable().optional().describe('Account name.'),
    accountType: z
      .enum(glAccountTypes)
      .nullable()
      .optional()
      .describe('Top-level classification of the account.'),
    normalBalance: z
      .enum(['debit', 'credit'])
      .nullable()
      .optional()
      .describe('Side on which the account normally carries its balance.'),
    currency: currencyCodeSchema
      .nullable()
      .optional()
      .describe('Currency the account is restricted to, ISO 4217; null for multi-currency accounts.'),
    parentAccountId: canonicalRefSchema('gl_account')
      .nullable()
      .optional()
      .describe('Canonical id of the summary (parent) account.'),
    active: z.boolean().nullable().optional().describe('Whether postings to the account are allowed.'),
  })
  .describe('General ledger account from the chart of accounts.');

export type GlAccount = z.output<typeof glAccountSchema>;
