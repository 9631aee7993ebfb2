import { v5 as uuidv5 } from 'uuid';

/** Test namespace only; the production namespace belongs to processors/identity. */
const namespace = '6f1c3c52-5a8e-4d55-9a57-3b1f0f7f2b10';

export function canonicalId(entity: string, key: string): string {
  return uuidv5(`${entity}:${key}`, namespace);
}

const provenanceEntry = {
  sourceSystem: 'workday',
  sourceInstance: 'acme-hr-prod',
  sourceRecordKey: 'acme-hr-prod/workers/1001',
  rawTopic: 'raw.hr.workers',
  rawPartition: 0,
  rawOffset: '42',
  observedAt: '2026-11-27T09:30:00Z',
  mapping: 'hr-workers@3',
  transformation: 'copy',
};

/** A valid `data` object for every catalog entity. */
export const sampleData: Record<string, Record<string, unknown>> = {
  employee: {
    employeeNumber: 'E-1001',
    givenName: 'Ada',
    familyName: 'Lovelace',
    workEmail: 'ada.lovelace@example.com',
    workPhone: '+4930123456',
    countryCode: 'DE',
    jobTitle: 'Staff Engineer',
    departmentId: canonicalId('org_unit', 'ENG'),
    managerId: null,
    costCenterId: canonicalId('cost_center', 'CC-100'),
    locationId: canonicalId('location', 'BER'),
    employmentStatus: 'active',
    employmentType: 'full_time',
    hireDate: '2021-03-01',
    terminationDate: null,
    compensation: {
      annualized: { amount: '96000.00', currency: 'EUR' },
      original: { amount: '8000.00', currency: 'EUR' },
      payFrequency: 'monthly',
      effectiveDate: '2026-01-01',
    },
  },
  org_unit: {
    orgUnitCode: 'ENG',
    name: 'Engineering',
    kind: 'department',
    parentOrgUnitId: null,
    active: true,
  },
  cost_center: {
    costCenterCode: 'CC-100',
    name: 'R&D Berlin',
    companyCode: 'ACME-DE',
    validFrom: '2020-01-01',
  },
  location: {
    locationCode: 'BER',
    name: 'Berlin HQ',
    address: { lines: ['Unter den Linden 1'], city: 'Berlin', postalCode: '10117', countryCode: 'DE' },
    timeZone: 'Europe/Berlin',
  },
  vendor: {
    vendorNumber: 'V-2001',
    legalName: 'Widgets GmbH',
    countryCode: 'DE',
    defaultCurrency: 'EUR',
    email: 'billing@widgets.example',
    paymentTermsDays: 30,
    status: 'active',
  },
  invoice: {
    vendorNumber: 'V-2001',
    invoiceNumber: 'INV-77',
    vendorId: canonicalId('vendor', 'V-2001'),
    status: 'open',
    currency: 'EUR',
    invoiceDate: '2026-11-01',
    dueDate: '2026-12-01',
    subtotal: { amount: '100.00', currency: 'EUR' },
    taxTotal: { amount: '19.00', currency: 'EUR' },
    total: { amount: '119.00', currency: 'EUR' },
    lines: [
      {
        lineNumber: 1,
        description: 'Widgets',
        quantity: '4',
        unitPrice: '25.0000',
        netAmount: { amount: '100.00', currency: 'EUR' },
        taxAmount: { amount: '19.00', currency: 'EUR' },
        taxRatePercent: '19',
      },
    ],
  },
  gl_account: {
    accountNumber: '6000',
    name: 'Purchased services',
    accountType: 'expense',
    normalBalance: 'debit',
  },
  fx_rate: {
    baseCurrency: 'EUR',
    quoteCurrency: 'USD',
    rateDate: '2026-11-27',
    rateType: 'spot',
    provider: 'ecb',
    rate: '1.0832',
  },
};

/** A valid canonical topic value for the entity, with `data` replaced when given. */
export function sampleRecord(entity: string, data?: Record<string, unknown>): Record<string, unknown> {
  const body = data ?? sampleData[entity];
  if (!body) throw new Error(`no sample for ${entity}`);
  return {
    id: canonicalId(entity, Object.values(body)[0] as string),
    entity,
    version: 1,
    mappingVersions: ['hr-workers@3'],
    updatedAt: '2026-11-27T09:31:00Z',
    data: body,
    provenance: Object.fromEntries(Object.keys(body).map((field) => [field, provenanceEntry])),
  };
}
