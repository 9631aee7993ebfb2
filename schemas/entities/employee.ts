import { z } from 'zod/v4';
import {
  businessKeySchema,
  canonicalRefSchema,
  countryCodeSchema,
  e164PhoneSchema,
  emailSchema,
  isoDateSchema,
} from '../fieldTypes.js';
import { decimalStringSchema, moneySchema } from '../money.js';

export const payFrequencies = [
  'hourly',
  'daily',
  'weekly',
  'biweekly',
  'semimonthly',
  'monthly',
  'quarterly',
  'annual',
] as const;

export const employeeCompensationSchema = z
  .strictObject({
    annualized: moneySchema.describe(
      'Base pay converted to one year (e.g. monthly × 12, hourly × standard hours × 52), in the original currency.',
    ),
    original: moneySchema.describe('Base pay exactly as the source stated it, per payFrequency.'),
    payFrequency: z.enum(payFrequencies).describe('Period the original amount is paid per.'),
    standardHoursPerWeek: decimalStringSchema
      .nullable()
      .optional()
      .describe('Contracted working hours per week used to annualize hourly or daily pay.'),
    effectiveDate: isoDateSchema
      .nullable()
      .optional()
      .describe('Date this compensation took effect (ISO 8601).'),
  })
  .describe('Base compensation: annualized money plus the original amount and its pay frequency.');

export const employmentStatuses = ['pending', 'active', 'on_leave', 'suspended', 'terminated'] as const;
export const employmentTypes = ['full_time', 'part_time', 'contractor', 'intern', 'temporary'] as const;

/** A person and their employment, merged from HR, payroll and directory sources. */
export const employeeSchema = z
  .strictObject({
    employeeNumber: businessKeySchema.describe(
      'Company-wide employee number assigned by the HR system of record; the business key.',
    ),
    givenName: z.string().nullable().optional().describe('Given (first) name.'),
    familyName: z.string().nullable().optional().describe('Family (last) name.'),
    preferredName: z.string().nullable().optional().describe('Name the person prefers to be called.'),
    workEmail: emailSchema.nullable().optional().describe('Work e-mail address, lower case.'),
    workPhone: e164PhoneSchema.nullable().optional().describe('Work phone number in E.164 form.'),
    countryCode: countryCodeSchema
      .nullable()
      .optional()
      .describe('Country of employment, ISO 3166-1 alpha-2.'),
    jobTitle: z.string().nullable().optional().describe('Job title as shown to people.'),
    departmentId: canonicalRefSchema('org_unit')
      .nullable()
      .optional()
      .describe('Canonical id of the department (org_unit) the person belongs to.'),
    managerId: canonicalRefSchema('employee')
      .nullable()
      .optional()
      .describe("Canonical id of the person's direct manager (employee)."),
    costCenterId: canonicalRefSchema('cost_center')
      .nullable()
      .optional()
      .describe('Canonical id of the cost center the person is charged to.'),
    locationId: canonicalRefSchema('location')
      .nullable()
      .optional()
      .describe('Canonical id of the primary work location.'),
    employmentStatus: z.enum(employmentStatuses).nullable().optional().describe('Current employment status.'),
    employmentType: z.enum(employmentTypes).nullable().optional().describe('Kind of employment contract.'),
    hireDate: isoDateSchema.nullable().optional().describe('First day of employment (ISO 8601 date).'),
    terminationDate: isoDateSchema
      .nullable()
      .optional()
      .describe('Last day of employment (ISO 8601 date); null while employed.'),
    compensation: employeeCompensationSchema.nullable().optional().describe('Current base compensation.'),
  })
  .describe(
    'Employee: a person and their employment (job, department, manager, cost center, location, pay).',
  );

export type Employee = z.output<typeof employeeSchema>;
