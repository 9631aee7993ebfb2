import { describe, expect, it } from 'vitest';
import { parseRawKey } from '../../platform/ops/reconcileReaders.js';
import { expectedCanonicalId, reconcileStreams } from '../../platform/ops/reconcileStreams.js';
import { canonicalId } from '../../processors/identity.js';
import { erpCostCentersMapping } from '../../processors/mappings/erpCostCenters.js';
import { erpInvoicesMapping } from '../../processors/mappings/erpInvoices.js';
import { hrWorkersMapping } from '../../processors/mappings/hrWorkers.js';
import { payrollEmployeesMapping, payrollPayRatesMapping } from '../../processors/mappings/payroll.js';

const noPayload = () => {
  throw new Error('payload not needed');
};

describe('reconcileStreams', () => {
  it('lists every raw stream once (delete feeds write into their target stream) with the connector keys', () => {
    const streams = reconcileStreams({ HR_INSTANCE: 'h', ERP_INSTANCE: 'e' });
    expect(streams.map((stream) => stream.rawTopic)).toEqual([
      'raw.hr.workers',
      'raw.hr.org_units',
      'raw.hr.jobs',
      'raw.erp.vendors',
      'raw.erp.invoices',
      'raw.erp.cost_centers',
      'raw.erp.gl_accounts',
      'raw.erp.fx_rates',
      'raw.payroll.payroll.employees',
      'raw.payroll.payroll.pay_rates',
      'raw.payroll.payroll.pay_history',
      'raw.payroll.payroll.bank_details',
    ]);
    const byTopic = new Map(streams.map((stream) => [stream.rawTopic, stream]));
    expect(byTopic.get('raw.erp.invoices')).toMatchObject({
      naturalKey: ['InvoiceID'],
      truthResource: 'invoices',
    });
    expect(byTopic.get('raw.erp.cost_centers')?.truthResource).toBe('costCenters');
    expect(byTopic.get('raw.payroll.payroll.pay_history')?.naturalKey).toEqual(['id']);
    expect(byTopic.get('raw.hr.jobs')?.entity).toBeUndefined();
  });

  it('expects an entity only from streams a mapping in use reads', () => {
    const only = reconcileStreams({}, [hrWorkersMapping]);
    expect(only.filter((stream) => stream.entity).map((stream) => stream.rawTopic)).toEqual([
      'raw.hr.workers',
    ]);
    const union = reconcileStreams({}, [hrWorkersMapping, payrollEmployeesMapping, payrollPayRatesMapping]);
    expect(union.filter((stream) => stream.entity === 'employee').map((stream) => stream.rawTopic)).toEqual([
      'raw.hr.workers',
      'raw.payroll.payroll.employees',
    ]);
  });

  it('keys payroll employees by the HR worker id their row links to, not by the payroll number', () => {
    const streams = reconcileStreams({}, [payrollEmployeesMapping, payrollPayRatesMapping]);
    const employees = streams.find((stream) => stream.rawTopic === 'raw.payroll.payroll.employees');
    if (!employees) throw new Error('payroll employees stream');
    expect(
      expectedCanonicalId(employees, 'E00042', () => ({
        employee_number: 'E00042',
        hr_worker_id: 'W000042',
      })),
    ).toBe(canonicalId('employee', 'W000042'));
    expect(() => expectedCanonicalId(employees, 'E00043', () => ({ employee_number: 'E00043' }))).toThrow(
      /no hr_worker_id/,
    );
    // Pay rates reach their employee through the crosswalk; their employee row already expects it.
    expect(
      streams.find((stream) => stream.rawTopic === 'raw.payroll.payroll.pay_rates')?.entity,
    ).toBeUndefined();
  });

  it('derives the canonical id the mapping would (invoice: vendor/invoice; cost center: digits padded to 10)', () => {
    const streams = reconcileStreams({}, [erpInvoicesMapping, erpCostCentersMapping, hrWorkersMapping]);
    const of = (topic: string) => {
      const stream = streams.find((candidate) => candidate.rawTopic === topic);
      if (!stream) throw new Error(topic);
      return stream;
    };
    expect(expectedCanonicalId(of('raw.hr.workers'), 'W000001', noPayload)).toBe(
      canonicalId('employee', 'W000001'),
    );
    expect(expectedCanonicalId(of('raw.erp.cost_centers'), 'CC-1042', noPayload)).toBe(
      canonicalId('cost_center', '0000001042'),
    );
    expect(
      expectedCanonicalId(of('raw.erp.invoices'), 'INV000000001', () => ({ VendorID: 'V0000007' })),
    ).toBe(canonicalId('invoice', 'V0000007/INV000000001'));
    expect(() => expectedCanonicalId(of('raw.erp.invoices'), 'INV000000001', () => ({}))).toThrow(/VendorID/);
    expect(() => expectedCanonicalId(of('raw.erp.cost_centers'), 'CC-X', noPayload)).toThrow(
      /without digits/,
    );
    expect(() => expectedCanonicalId(of('raw.hr.jobs'), 'J1', noPayload)).toThrow(
      /feeds no canonical entity/,
    );
  });
});

describe('parseRawKey', () => {
  it('splits instance, stream and a natural key that may contain slashes', () => {
    expect(parseRawKey('acme-hr/workers/W000001')).toEqual({
      instance: 'acme-hr',
      stream: 'workers',
      naturalKey: 'W000001',
    });
    expect(parseRawKey('payroll/payroll.employees/a/b')).toEqual({
      instance: 'payroll',
      stream: 'payroll.employees',
      naturalKey: 'a/b',
    });
    for (const bad of ['', 'x', 'x/y', 'x/y/', '/y/z', 'x//z']) expect(parseRawKey(bad)).toBeUndefined();
  });
});
