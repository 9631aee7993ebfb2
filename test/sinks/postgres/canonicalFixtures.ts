import { contractFor } from '../../../schemas/entityCatalog.js';

/**
 * Canonical records that validate against the real contracts (schemas/entities/*.ts): every
 * builder's output goes through contractFor(entity).schema, so a contract change that the sink's
 * specs do not follow shows up here first.
 */
export type CanonicalFixture = {
  id: string;
  entity: string;
  version: number;
  mappingVersions: string[];
  updatedAt: string;
  data: Record<string, unknown>;
  provenance: Record<string, unknown>;
};

function provenance(id: string, field: string, transformation = 'copy') {
  return {
    [field]: {
      sourceSystem: 'workday',
      sourceInstance: 'acme',
      sourceRecordKey: `acme/records/${id}`,
      rawTopic: 'raw.hr.records',
      rawPartition: 0,
      rawOffset: '1',
      observedAt: '2026-11-27T09:59:00.000Z',
      mapping: 'hr-workers@1',
      transformation,
    },
  };
}

function record(
  entity: string,
  id: string,
  version: number,
  data: Record<string, unknown>,
  overrides: Record<string, unknown>,
): CanonicalFixture {
  return {
    id,
    entity,
    version,
    mappingVersions: ['hr-workers@1'],
    updatedAt: '2026-11-27T10:00:00.000Z',
    data: { ...data, ...overrides },
    provenance: provenance(id, Object.keys(data)[0] ?? 'id'),
  };
}

/** Throws with zod's issues when `value` is not a valid canonical record of its entity. */
export function assertContractValid(value: CanonicalFixture): CanonicalFixture {
  const result = contractFor(value.entity).schema.safeParse(value);
  if (!result.success) {
    throw new Error(
      `fixture ${value.entity}/${value.id} breaks the contract: ${JSON.stringify(result.error.issues)}`,
    );
  }
  return value;
}

export const refs = {
  department: '2b0c3c1e-5f41-5a57-9d0e-0a1c1a7e1001',
  manager: '2b0c3c1e-5f41-5a57-9d0e-0a1c1a7e1002',
  costCenter: '2b0c3c1e-5f41-5a57-9d0e-0a1c1a7e1003',
  location: '2b0c3c1e-5f41-5a57-9d0e-0a1c1a7e1004',
  vendor: '2b0c3c1e-5f41-5a57-9d0e-0a1c1a7e1005',
  glAccount: '2b0c3c1e-5f41-5a57-9d0e-0a1c1a7e1006',
  orgUnit: '2b0c3c1e-5f41-5a57-9d0e-0a1c1a7e1007',
} as const;

export function employeeRecord(id: string, version: number, overrides: Record<string, unknown> = {}) {
  return record(
    'employee',
    id,
    version,
    {
      employeeNumber: `E-${id.slice(0, 8)}`,
      givenName: 'Ada',
      familyName: `Lovelace-v${version}`,
      preferredName: 'Ada L.',
      workEmail: `ada.${id.slice(0, 8)}@example.com`,
      workPhone: '+4930123456',
      countryCode: 'DE',
      jobTitle: 'Engineer',
      departmentId: refs.department,
      managerId: refs.manager,
      costCenterId: refs.costCenter,
      locationId: refs.location,
      employmentStatus: 'active',
      employmentType: 'full_time',
      hireDate: '2020-01-15',
      terminationDate: null,
      compensation: {
        annualized: { amount: `${50000 + version}.00`, currency: 'EUR' },
        original: { amount: `${4166 + version}.67`, currency: 'EUR' },
        payFrequency: 'monthly',
        standardHoursPerWeek: '40',
        effectiveDate: '2026-01-01',
      },
    },
    overrides,
  );
}

export function orgUnitRecord(id: string, version: number, overrides: Record<string, unknown> = {}) {
  return record(
    'org_unit',
    id,
    version,
    {
      orgUnitCode: `OU-${id.slice(0, 6)}`,
      name: 'Platform Engineering',
      kind: 'department',
      parentOrgUnitId: refs.orgUnit,
      managerId: refs.manager,
      costCenterId: refs.costCenter,
      active: true,
    },
    overrides,
  );
}

export function costCenterRecord(id: string, version: number, overrides: Record<string, unknown> = {}) {
  return record(
    'cost_center',
    id,
    version,
    {
      costCenterCode: `CC-${id.slice(0, 6)}`,
      name: 'R&D Berlin',
      description: 'Research and development',
      companyCode: 'DE01',
      parentCostCenterId: refs.costCenter,
      ownerId: refs.manager,
      orgUnitId: refs.orgUnit,
      validFrom: '2024-01-01',
      validTo: '2030-12-31',
      active: true,
    },
    overrides,
  );
}

export function locationRecord(id: string, version: number, overrides: Record<string, unknown> = {}) {
  return record(
    'location',
    id,
    version,
    {
      locationCode: `LOC-${id.slice(0, 6)}`,
      name: 'Berlin HQ',
      address: {
        lines: ['Unter den Linden 1'],
        city: 'Berlin',
        region: null,
        postalCode: '10117',
        countryCode: 'DE',
      },
      timeZone: 'Europe/Berlin',
      remote: false,
      active: true,
    },
    overrides,
  );
}

export function vendorRecord(id: string, version: number, overrides: Record<string, unknown> = {}) {
  return record(
    'vendor',
    id,
    version,
    {
      vendorNumber: `V-${id.slice(0, 6)}`,
      legalName: 'Acme Supplies GmbH',
      displayName: 'Acme Supplies',
      taxId: 'DE123456789',
      countryCode: 'DE',
      defaultCurrency: 'EUR',
      email: 'ar@acme-supplies.example',
      phone: '+4940123456',
      address: { lines: ['Hafenstraße 2'], city: 'Hamburg', postalCode: '20457', countryCode: 'DE' },
      paymentTermsDays: 30,
      status: 'active',
    },
    overrides,
  );
}

export function invoiceRecord(
  id: string,
  version: number,
  lineCount: number,
  overrides: Record<string, unknown> = {},
) {
  const lines = Array.from({ length: lineCount }, (_, index) => ({
    lineNumber: index + 1,
    description: `line ${index + 1} of v${version}`,
    quantity: '2.5',
    unitPrice: '4.123456789',
    netAmount: { amount: '10.31', currency: 'EUR' },
    taxAmount: { amount: '1.96', currency: 'EUR' },
    taxRatePercent: '19',
    glAccountId: refs.glAccount,
    costCenterId: refs.costCenter,
  }));
  const net = (lineCount * 1031) / 100;
  const tax = (lineCount * 196) / 100;
  const cents = (value: number) => value.toFixed(2);
  return record(
    'invoice',
    id,
    version,
    {
      vendorNumber: 'V-1000',
      invoiceNumber: `INV-${id.slice(0, 6)}`,
      vendorId: refs.vendor,
      status: 'open',
      currency: 'EUR',
      invoiceDate: '2026-11-01',
      dueDate: '2026-12-01',
      postingDate: '2026-11-02',
      paidDate: null,
      subtotal: { amount: cents(net), currency: 'EUR' },
      taxTotal: { amount: cents(tax), currency: 'EUR' },
      total: { amount: cents(net + tax), currency: 'EUR' },
      amountDue: { amount: cents(net + tax), currency: 'EUR' },
      totalReporting: { amount: cents((net + tax) * 1.08), currency: 'USD' },
      lines,
    },
    overrides,
  );
}

export function glAccountRecord(id: string, version: number, overrides: Record<string, unknown> = {}) {
  return record(
    'gl_account',
    id,
    version,
    {
      accountNumber: `6${id.slice(0, 4)}`,
      name: 'Office supplies',
      accountType: 'expense',
      normalBalance: 'debit',
      currency: 'EUR',
      parentAccountId: refs.glAccount,
      active: true,
    },
    overrides,
  );
}

export function fxRateRecord(id: string, version: number, overrides: Record<string, unknown> = {}) {
  return record(
    'fx_rate',
    id,
    version,
    {
      baseCurrency: 'EUR',
      quoteCurrency: 'USD',
      rateDate: '2026-11-27',
      rateType: 'spot',
      provider: 'ecb',
      rate: '1.08321234',
    },
    overrides,
  );
}

/** One full record per entity: every contract field set (nullable ones to a value where possible). */
export const fixtureOf: Record<string, (id: string) => CanonicalFixture> = {
  employee: (id) => employeeRecord(id, 1, { terminationDate: '2027-06-30' }),
  org_unit: (id) => orgUnitRecord(id, 1),
  cost_center: (id) => costCenterRecord(id, 1),
  location: (id) => locationRecord(id, 1),
  vendor: (id) => vendorRecord(id, 1),
  invoice: (id) => invoiceRecord(id, 1, 2, { paidDate: '2026-11-20' }),
  gl_account: (id) => glAccountRecord(id, 1),
  fx_rate: (id) => fxRateRecord(id, 1),
};
