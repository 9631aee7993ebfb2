import { describe, expect, it } from 'vitest';
import { TributaryError } from '../../platform/errors.js';
import { contractFor, entityCatalog } from '../../schemas/entityCatalog.js';
import { recordValidationError } from '../../schemas/validationIssues.js';
import { sampleData, sampleRecord } from './samples.js';

function withData(entity: string, patch: Record<string, unknown>): Record<string, unknown> {
  return sampleRecord(entity, { ...sampleData[entity], ...patch });
}

function issuesOf(entity: string, record: unknown) {
  const result = contractFor(entity).schema.safeParse(record);
  if (result.success) throw new Error(`${entity} sample unexpectedly valid`);
  return result.error.issues;
}

describe('entity catalog', () => {
  it('covers the HR and finance entities with canonical.<entity> topics and a contract version', () => {
    expect(entityCatalog.map((contract) => contract.entity)).toEqual([
      'employee',
      'org_unit',
      'cost_center',
      'location',
      'vendor',
      'invoice',
      'gl_account',
      'fx_rate',
    ]);
    for (const contract of entityCatalog) {
      expect(contract.topic).toBe(`canonical.${contract.entity}`);
      expect(Number.isInteger(contract.version) && contract.version >= 1).toBe(true);
      expect(contract.identityRule.length).toBeGreaterThan(10);
      expect(contract.description.length).toBeGreaterThan(10);
    }
  });

  it('names business keys that are required fields of data', () => {
    for (const contract of entityCatalog) {
      const shape = contract.dataSchema.shape;
      for (const key of contract.businessKey) {
        expect(Object.keys(shape), `${contract.entity}.${key}`).toContain(key);
        expect(shape[key]?.safeParse(undefined).success, `${contract.entity}.${key} required`).toBe(false);
      }
    }
  });

  it('throws NOT_FOUND naming an unknown entity', () => {
    expect(() => contractFor('payslip')).toThrow(/payslip/);
  });
});

describe.each(entityCatalog.map((contract) => contract.entity))('%s contract', (entity) => {
  it('accepts a complete sample record', () => {
    const result = contractFor(entity).schema.safeParse(sampleRecord(entity));
    expect(result.success ? [] : result.error.issues).toEqual([]);
  });

  it('accepts a record holding only the business key', () => {
    const contract = contractFor(entity);
    const data = Object.fromEntries(contract.businessKey.map((key) => [key, sampleData[entity]?.[key]]));
    if (entity === 'fx_rate') data['rate'] = '1.1';
    expect(contract.schema.safeParse(sampleRecord(entity, data)).success).toBe(true);
  });

  it('rejects a record without its business key', () => {
    const contract = contractFor(entity);
    const [key] = contract.businessKey;
    const data = { ...sampleData[entity] };
    delete data[key ?? ''];
    const issues = issuesOf(entity, sampleRecord(entity, data));
    expect(issues.map((issue) => issue.path.join('.'))).toContain(`data.${key}`);
  });

  it('rejects a record with the wrong entity name', () => {
    const record = { ...sampleRecord(entity), entity: 'something_else' };
    expect(issuesOf(entity, record).map((issue) => issue.path.join('.'))).toEqual(['entity']);
  });
});

describe('field rules', () => {
  it.each([
    ['employee', { workPhone: '030 123456' }, 'data.workPhone'],
    ['employee', { countryCode: 'DEU' }, 'data.countryCode'],
    ['employee', { hireDate: '01.03.2021' }, 'data.hireDate'],
    ['employee', { hireDate: '2021-02-30' }, 'data.hireDate'],
    ['employee', { workEmail: 'not-an-email' }, 'data.workEmail'],
    ['employee', { employmentStatus: 'retired' }, 'data.employmentStatus'],
    ['employee', { departmentId: 'ENG' }, 'data.departmentId'],
    ['employee', { employeeNumber: ' E-1001' }, 'data.employeeNumber'],
    [
      'employee',
      {
        compensation: {
          annualized: { amount: 96000, currency: 'EUR' },
          original: { amount: '8000.00', currency: 'EUR' },
          payFrequency: 'monthly',
        },
      },
      'data.compensation.annualized.amount',
    ],
    ['invoice', { total: { amount: '119.001', currency: 'EUR' } }, 'data.total.amount'],
    ['invoice', { total: { amount: '119.00', currency: 'eur' } }, 'data.total.currency'],
    ['invoice', { total: { amount: '1e3', currency: 'EUR' } }, 'data.total.amount'],
    ['invoice', { lines: [{ lineNumber: 0 }] }, 'data.lines.0.lineNumber'],
    ['vendor', { paymentTermsDays: 30.5 }, 'data.paymentTermsDays'],
    ['fx_rate', { rate: '-1.2' }, 'data.rate'],
    ['fx_rate', { rate: '0' }, 'data.rate'],
    ['fx_rate', { provider: 'ECB' }, 'data.provider'],
    ['location', { timeZone: 'Berlin time' }, 'data.timeZone'],
  ])('%s rejects %j at %s', (entity, patch, path) => {
    const paths = issuesOf(entity, withData(entity, patch)).map((issue) => issue.path.join('.'));
    expect(paths).toContain(path);
  });

  it('holds money to the currency minor-unit precision', () => {
    const ok = (amount: string, currency: string) =>
      contractFor('invoice').schema.safeParse(withData('invoice', { total: { amount, currency } })).success;
    expect(ok('119', 'JPY')).toBe(true);
    expect(ok('119.5', 'JPY')).toBe(false);
    expect(ok('1.125', 'KWD')).toBe(true);
    expect(ok('1.1255', 'KWD')).toBe(false);
    expect(ok('-5.10', 'USD')).toBe(true);
  });
});

describe('unknown fields', () => {
  it('are rejected rather than silently dropped, naming the field', () => {
    const record = withData('vendor', { vendorNumbr: 'V-1' });
    const error = recordValidationError('vendor', issuesOf('vendor', record));
    expect(error.message).toBe('invalid vendor record: data: expected no properties named vendorNumbr');
    const money = withData('invoice', { total: { amount: '1.00', currency: 'EUR', fx: '1.1' } });
    expect(issuesOf('invoice', money).map((issue) => issue.path.join('.'))).toEqual(['data.total']);
  });
});

describe('validation errors', () => {
  it('name entity, field path and expected type without echoing values', () => {
    const secretEmail = 'ceo.private@example';
    const record = withData('employee', {
      workEmail: secretEmail,
      workPhone: 4930123,
      hireDate: 'yesterday',
    });
    const error = recordValidationError('employee', issuesOf('employee', record));
    expect(error).toBeInstanceOf(TributaryError);
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.retryable).toBe(false);
    expect(error.message).toContain('invalid employee record');
    expect(error.message).toContain('data.workEmail: expected email string');
    expect(error.message).toContain('data.workPhone: expected string');
    expect(error.message).toContain('data.hireDate: expected date string');
    const serialized = `${error.message} ${JSON.stringify(error.details)}`;
    expect(serialized).not.toContain(secretEmail);
    expect(serialized).not.toContain('4930123');
    expect(serialized).not.toContain('yesterday');
  });
});
