import { describe, expect, it } from 'vitest';
import { ColumnPolicy } from '../../../producers/cdc/columnPolicy.js';

describe('ColumnPolicy', () => {
  const row = {
    employee_number: 'W000001',
    account_number: '123456789012',
    iban: 'DE89 3704 0044 0532 0130 00',
    ssn: '123-45-6789',
    name: 'Ada',
  };

  it('masks bank account columns by default and keeps only the last four characters', () => {
    const published = new ColumnPolicy().apply(row, ['employee_number']);
    expect(published).toEqual({ ...row, account_number: '****9012', iban: '****3000' });
    expect(JSON.stringify(published)).not.toContain('123456789012');
  });

  it('excludes, redacts and reveals per table; key columns are never touched', () => {
    const policy = new ColumnPolicy({
      exclude: ['ssn'],
      mask: { name: 'redact', employee_number: 'redact' },
      reveal: ['account_number'],
    });
    expect(policy.apply(row, ['employee_number'])).toEqual({
      employee_number: 'W000001',
      account_number: '123456789012',
      iban: '****3000',
      name: '[redacted]',
    });
    expect(
      policy.describe([
        { name: 'ssn', typeOid: 25, key: false },
        { name: 'iban', typeOid: 25, key: false },
      ]),
    ).toEqual([{ name: 'iban', typeOid: 25, key: false, masked: 'last4' }]);
  });

  it('keeps nulls as nulls (a masked null is still null)', () => {
    expect(new ColumnPolicy().apply({ id: '1', account_number: null }, ['id'])).toEqual({
      id: '1',
      account_number: null,
    });
  });
});
