import { z } from 'zod/v4';
import { businessKeySchema, canonicalRefSchema } from '../fieldTypes.js';

export const orgUnitKinds = ['company', 'division', 'department', 'team', 'other'] as const;

/** A node of the organisation tree: company, division, department or team. */
export const orgUnitSchema = z
  .strictObject({
    orgUnitCode: businessKeySchema.describe('Code of the unit in the HR system of record; the business key.'),
    name: z.string().nullable().optional().describe('Display name of the unit.'),
    kind: z.enum(orgUnitKinds).nullable().optional().describe('Level of the unit in the organisation tree.'),
    parentOrgUnitId: canonicalRefSchema('org_unit')
      .nullable()
      .optional()
      .describe('Canonical id of the parent unit; null for the root.'),
    managerId: canonicalRefSchema('employee')
      .nullable()
      .optional()
      .describe('Canonical id of the unit head.'),
    costCenterId: canonicalRefSchema('cost_center')
      .nullable()
      .optional()
      .describe('Canonical id of the default cost center of the unit.'),
    active: z.boolean().nullable().optional().describe('Whether the unit is currently in use.'),
  })
  .describe('Organisational unit (department, team, division or company) in the org tree.');

export type OrgUnit = z.output<typeof orgUnitSchema>;
