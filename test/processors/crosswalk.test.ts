import { describe, expect, it } from 'vitest';
import { isRetryable } from '../../platform/errors.js';
import { Crosswalk, CrosswalkMissingError } from '../../processors/crosswalk.js';
import type { MappingContext } from '../../processors/mapping.js';
import {
  payrollEmployeeCrosswalk,
  payrollEmployeesMapping,
  payrollPayRatesMapping,
} from '../../processors/mappings/payroll.js';
import { FxRateTable } from '../../processors/normalize/fx.js';
import { payrollEnvelope as envelope } from '../helpers/payrollEnvelopes.js';

const silent = { unknownField() {}, missingField() {}, typeMismatch() {} };
const contextWith = (crosswalk: Crosswalk): MappingContext => ({
  fx: new FxRateTable(),
  reportingCurrency: 'USD',
  crosswalk,
});
const payRate = { employee_number: 'E00007', currency: 'EUR', amount: '4100.00', frequency: 'monthly' };

describe('Crosswalk', () => {
  it('resolves a source key per crosswalk and source instance, whatever its case and spacing', () => {
    const crosswalk = new Crosswalk();
    crosswalk.link('payroll-employee', 'payroll-eu', 'e00007', 'W000007');
    expect(crosswalk.resolve('payroll-employee', 'payroll-eu', ' E00007 ')).toBe('W000007');
    expect(crosswalk.find('payroll-employee', 'payroll-us', 'E00007')).toBeUndefined();
    expect(crosswalk.find('other', 'payroll-eu', 'E00007')).toBeUndefined();
  });

  it('says which key of which crosswalk is missing, retryably', () => {
    const error = (() => {
      try {
        new Crosswalk().resolve('payroll-employee', 'payroll', 'E00042');
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(CrosswalkMissingError);
    expect(isRetryable(error)).toBe(true);
    expect((error as Error).message).toBe(
      'crosswalk payroll-employee: no business key for payroll key "E00042" (its linking record has not been read)',
    );
  });

  it('learns links from payroll employee rows, deletes included, and skips rows not linked', () => {
    const crosswalk = new Crosswalk();
    crosswalk.learn(
      payrollEmployeeCrosswalk,
      envelope('payroll.employees', { employee_number: 'E00007', hr_worker_id: 'W000007' }, 'delete'),
    );
    crosswalk.learn(
      payrollEmployeeCrosswalk,
      envelope('payroll.employees', { employee_number: 'E00008', hr_worker_id: null }),
    );
    expect(crosswalk.find('payroll-employee', 'payroll', 'E00007')).toBe('W000007');
    expect(crosswalk.size).toBe(1);
  });
});

describe('payroll mappings through the crosswalk', () => {
  it('keys a payroll employee by the HR worker id it links to', () => {
    const [fragment] = payrollEmployeesMapping.map(
      envelope('payroll.employees', {
        employee_number: 'E00007',
        hr_worker_id: 'W000007',
        first_name: 'Ada',
      }),
      silent,
      contextWith(new Crosswalk()),
    );
    expect(fragment?.businessKey).toBe('W000007');
    expect(fragment?.fields['employeeNumber']).toEqual({
      value: 'W000007',
      transformation: 'copy(hr_worker_id)',
    });
  });

  it('refuses a payroll employee without an HR worker id, naming it', () => {
    expect(() =>
      payrollEmployeesMapping.map(
        envelope('payroll.employees', { employee_number: 'E00009', first_name: 'Ada' }),
        silent,
        contextWith(new Crosswalk()),
      ),
    ).toThrow('payroll employee E00009: hr_worker_id is missing, so it cannot be joined with an HR worker');
  });

  it('resolves a pay rate (and its delete) to the linked worker, and records the crosswalk as the transformation', () => {
    const crosswalk = new Crosswalk();
    crosswalk.link('payroll-employee', 'payroll', 'E00007', 'W000007');
    const [upsert] = payrollPayRatesMapping.map(
      envelope('payroll.pay_rates', payRate),
      silent,
      contextWith(crosswalk),
    );
    expect(upsert?.businessKey).toBe('W000007');
    expect(upsert?.fields['employeeNumber']).toEqual({
      value: 'W000007',
      transformation: 'crosswalk(payroll-employee, employee_number)',
    });
    const [removal] = payrollPayRatesMapping.map(
      envelope('payroll.pay_rates', payRate, 'delete'),
      silent,
      contextWith(crosswalk),
    );
    expect(removal).toEqual({ entity: 'employee', businessKey: 'W000007', fields: {} });
  });

  it('throws a retryable miss for a pay rate whose payroll number is not linked (yet)', () => {
    const crosswalk = new Crosswalk();
    crosswalk.link('payroll-employee', 'another-payroll', 'E00007', 'W000007');
    expect(() =>
      payrollPayRatesMapping.map(envelope('payroll.pay_rates', payRate), silent, contextWith(crosswalk)),
    ).toThrow(CrosswalkMissingError);
  });
});
