import { TributaryError } from '../platform/errors.js';
import { canonicalRecordSchema } from './canonicalRecord.js';
import { costCenterSchema } from './entities/costCenter.js';
import { employeeSchema } from './entities/employee.js';
import { fxRateSchema } from './entities/fxRate.js';
import { glAccountSchema } from './entities/glAccount.js';
import { invoiceSchema } from './entities/invoice.js';
import { locationSchema } from './entities/location.js';
import { orgUnitSchema } from './entities/orgUnit.js';
import { vendorSchema } from './entities/vendor.js';
import type { EntityContract } from './entityContract.js';

const keyNormalisation = 'trimmed and upper-cased';

/**
 * Every canonical entity the platform publishes. Changing an entity's zod schema changes its
 * published JSON Schema: bump `version` here and run `tributary schemas generate`, which refuses
 * the new version unless it is backward compatible with every earlier one.
 */
export const entityCatalog: readonly EntityContract[] = [
  {
    entity: 'employee',
    topic: 'canonical.employee',
    version: 1,
    schema: canonicalRecordSchema('employee', employeeSchema),
    dataSchema: employeeSchema,
    businessKey: ['employeeNumber'],
    identityRule: `UUIDv5 over "employee" and employeeNumber (${keyNormalisation}). The same person in HR, payroll and directory sources becomes one record: sources that number people their own way (the payroll database) resolve their number to the HR employee number through a crosswalk.`,
    description:
      'People employed by the company and their employment: job, department, manager, cost center, location, status, dates and base compensation.',
    units: {
      'compensation.standardHoursPerWeek': 'hours per week',
    },
    provenanceNotes:
      'compensation.annualized records the annualization, e.g. "annualize(monthly×12)"; compensation.original is "copy". References (departmentId, managerId, ...) record "ref(<entity>, <business key>)".',
  },
  {
    entity: 'org_unit',
    topic: 'canonical.org_unit',
    version: 1,
    schema: canonicalRecordSchema('org_unit', orgUnitSchema),
    dataSchema: orgUnitSchema,
    businessKey: ['orgUnitCode'],
    identityRule: `UUIDv5 over "org_unit" and orgUnitCode (${keyNormalisation}).`,
    description: 'Departments, teams, divisions and companies forming the organisation tree.',
    units: {},
    provenanceNotes: 'References record "ref(<entity>, <business key>)".',
  },
  {
    entity: 'cost_center',
    topic: 'canonical.cost_center',
    version: 1,
    schema: canonicalRecordSchema('cost_center', costCenterSchema),
    dataSchema: costCenterSchema,
    businessKey: ['costCenterCode'],
    identityRule: `UUIDv5 over "cost_center" and costCenterCode (${keyNormalisation}).`,
    description: 'Cost centers of the finance system that salaries and invoice lines are charged to.',
    units: {},
    provenanceNotes: 'References record "ref(<entity>, <business key>)".',
  },
  {
    entity: 'location',
    topic: 'canonical.location',
    version: 1,
    schema: canonicalRecordSchema('location', locationSchema),
    dataSchema: locationSchema,
    businessKey: ['locationCode'],
    identityRule: `UUIDv5 over "location" and locationCode (${keyNormalisation}).`,
    description: 'Offices, sites and virtual remote locations people work at.',
    units: {},
    provenanceNotes: 'address is attributed as a whole ("address") unless sources supply parts separately.',
  },
  {
    entity: 'vendor',
    topic: 'canonical.vendor',
    version: 1,
    schema: canonicalRecordSchema('vendor', vendorSchema),
    dataSchema: vendorSchema,
    businessKey: ['vendorNumber'],
    identityRule: `UUIDv5 over "vendor" and vendorNumber (${keyNormalisation}).`,
    description: 'Suppliers the company buys from and pays.',
    units: { paymentTermsDays: 'days' },
    provenanceNotes: 'paymentTermsDays records the parsing of source terms, e.g. "parseTerms(NET30)".',
  },
  {
    entity: 'invoice',
    topic: 'canonical.invoice',
    version: 2,
    schema: canonicalRecordSchema('invoice', invoiceSchema),
    dataSchema: invoiceSchema,
    businessKey: ['vendorNumber', 'invoiceNumber'],
    identityRule: `UUIDv5 over "invoice" and vendorNumber + "/" + invoiceNumber (each ${keyNormalisation}); invoice numbers are only unique per vendor.`,
    description: 'Supplier (accounts payable) invoices with amounts, tax, currency, dates, status and lines.',
    units: {
      'lines[].quantity': 'units of the purchased item',
      'lines[].unitPrice': 'invoice currency per unit',
      'lines[].taxRatePercent': 'percent',
    },
    provenanceNotes:
      'Line fields are keyed by position, e.g. "lines.0.netAmount". Converted amounts record "fx(<from>→<to>, <rate>, <provider>, <date>)".',
  },
  {
    entity: 'gl_account',
    topic: 'canonical.gl_account',
    version: 1,
    schema: canonicalRecordSchema('gl_account', glAccountSchema),
    dataSchema: glAccountSchema,
    businessKey: ['accountNumber'],
    identityRule: `UUIDv5 over "gl_account" and accountNumber (${keyNormalisation}).`,
    description: 'Accounts of the general ledger (chart of accounts).',
    units: {},
    provenanceNotes:
      'accountType records the classification mapping, e.g. "map(accountType: Expense→expense)".',
  },
  {
    entity: 'fx_rate',
    topic: 'canonical.fx_rate',
    version: 1,
    schema: canonicalRecordSchema('fx_rate', fxRateSchema),
    dataSchema: fxRateSchema,
    businessKey: ['baseCurrency', 'quoteCurrency', 'rateDate', 'rateType', 'provider'],
    identityRule:
      'UUIDv5 over "fx_rate" and baseCurrency/quoteCurrency/rateDate/rateType/provider joined with "/" (currencies upper case, provider lower case).',
    description:
      'Exchange rates used to convert money between currencies, one per pair, date, type and provider.',
    units: { rate: 'quoteCurrency per 1 baseCurrency' },
    provenanceNotes: 'rate is "copy" of the provider value; inverted rates record "invert(<original pair>)".',
  },
];

/** The contract of one entity; throws NOT_FOUND naming the entity if there is none. */
export function contractFor(
  entity: string,
  contracts: readonly EntityContract[] = entityCatalog,
): EntityContract {
  const contract = contracts.find((candidate) => candidate.entity === entity);
  if (!contract) {
    throw new TributaryError('NOT_FOUND', `no canonical entity contract named "${entity}"`, {
      details: { entity, known: contracts.map((known) => known.entity) },
    });
  }
  return contract;
}
