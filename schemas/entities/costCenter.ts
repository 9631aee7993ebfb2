import { z } from 'zod/v4';
import { businessKeySchema, canonicalRefSchema, isoDateSchema } from '../fieldTypes.js';

/** A cost center from the finance system: where costs (salaries, invoices) are booked. */
export const costCenterSchema = z
  .strictObject({
    costCenterCode: businessKeySchema.describe(
      'Cost center code in the finance system of record; the business key.',
    ),
    name: z.string().nullable().optional().describe('Display name of the cost center.'),
    description: z.string().nullable().optional().describe('Free-text description.'),
    companyCode: z
      .string()
      .nullable()
      .optional()
      .describe('Legal entity / company code the cost center belongs to.'),
    parentCostCenterId: canonicalRefSchema('cost_center')
      .nullable()
      .optional()
      .describe('Canonical id of the parent cost center in the hierarchy.'),
    ownerId: canonicalRefSchema('employee')
      .nullable()
      .optional()
      .describe('Canonical id of the employee responsible for the cost center.'),
    orgUnitId: canonicalRefSchema('org_unit')
      .nullable()
      .optional()
      .describe('Canonical id of the org unit the cost center serves.'),
    validFrom: isoDateSchema
      .nullable()
      .optional()
      .describe('First day postings are allowed (ISO 8601 date).'),
    validTo: isoDateSchema.nullable().optional().describe('Last day postings are allowed (ISO 8601 date).'),
    active: z.boolean().nullable().optional().describe('Whether postings are currently allowed.'),
  })
  .describe('Cost center: an accounting unit that costs such as salaries and invoices are charged to.');

export type CostCenter = z.output<typeof costCenterSchema>;
