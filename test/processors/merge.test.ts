import { describe, expect, it } from 'vitest';
import type { Fragment } from '../../processors/fragment.js';
import { canonicalId } from '../../processors/identity.js';
import { type MergePolicy, mergeFragments } from '../../processors/merge.js';
import { seededRandom } from '../helpers/childProcess.js';

function fragment(overrides: Partial<Fragment> & Pick<Fragment, 'sourceSystem' | 'fields'>): Fragment {
  return {
    entity: 'employee',
    canonicalId: canonicalId('employee', 'E-1'),
    businessKey: 'E-1',
    sourceInstance: `${overrides.sourceSystem}-prod`,
    sourceRecordKey: `${overrides.sourceSystem}-prod/workers/1`,
    rawTopic: `raw.${overrides.sourceSystem}.workers`,
    rawPartition: 0,
    rawOffset: '10',
    observedAt: '2026-11-27T10:00:00.000Z',
    sourceUpdatedAt: null,
    mapping: `${overrides.sourceSystem}-workers@1`,
    ...overrides,
  };
}

const policy: MergePolicy = {
  fields: {
    name: { strategy: 'source-priority', order: ['hr', 'payroll'] },
    'compensation.annual': { strategy: 'source-priority', order: ['payroll', 'hr'] },
    email: { strategy: 'most-recent' },
  },
  defaultRule: { strategy: 'first-non-null' },
};

const hr = fragment({
  sourceSystem: 'hr',
  sourceUpdatedAt: '2026-11-01T00:00:00.000Z',
  fields: {
    name: { value: 'Jane Doe', transformation: 'copy' },
    email: { value: 'jane@old.example', transformation: 'lowercase' },
    'compensation.annual': {
      value: { amount: '60000.00', currency: 'EUR' },
      transformation: 'annualize(monthly)',
    },
    department: { value: null, transformation: 'copy' },
  },
});
const payroll = fragment({
  sourceSystem: 'payroll',
  sourceRecordKey: 'payroll-prod/employees/E-1',
  rawTopic: 'raw.payroll.employees',
  rawOffset: '7',
  sourceUpdatedAt: '2026-11-20T00:00:00.000Z',
  fields: {
    name: { value: 'J. Doe', transformation: 'copy' },
    email: { value: 'jane@new.example', transformation: 'lowercase' },
    'compensation.annual': { value: { amount: '61000.00', currency: 'EUR' }, transformation: 'copy' },
    department: { value: 'FIN', transformation: 'copy' },
  },
});
const erp = fragment({
  sourceSystem: 'erp',
  sourceRecordKey: 'erp-prod/vendors/9',
  fields: { costCenter: { value: 'CC-1', transformation: 'copy' } },
});

describe('identity', () => {
  it('gives the same canonical id for the same normalised business key', () => {
    expect(canonicalId('employee', '  E-001 ')).toBe(canonicalId('employee', 'e-001'));
    expect(canonicalId('employee', 'E-001')).not.toBe(canonicalId('vendor', 'E-001'));
    expect(canonicalId('employee', 'E-001')).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
  });
});

describe('mergeFragments', () => {
  it('applies survivorship rules per field and records provenance of the winner', () => {
    const merged = mergeFragments([hr, payroll, erp], policy);
    expect(merged.data).toEqual({
      name: 'Jane Doe',
      email: 'jane@new.example',
      compensation: { annual: { amount: '61000.00', currency: 'EUR' } },
      department: 'FIN',
      costCenter: 'CC-1',
    });
    expect(merged.provenance['name']?.sourceSystem).toBe('hr');
    expect(merged.provenance['compensation.annual']).toMatchObject({
      sourceSystem: 'payroll',
      rawOffset: '7',
      mapping: 'payroll-workers@1',
      transformation: 'copy',
    });
    expect(merged.provenance['department']?.sourceSystem).toBe('payroll');
    expect(merged.mappingVersions).toEqual(['erp-workers@1', 'hr-workers@1', 'payroll-workers@1']);
  });

  it('does not depend on arrival order (property)', () => {
    const random = seededRandom(11);
    const reference = mergeFragments([hr, payroll, erp], policy);
    for (let i = 0; i < 200; i++) {
      const shuffled = [hr, payroll, erp]
        .map((f) => ({ f, r: random() }))
        .sort((a, b) => a.r - b.r)
        .map(({ f }) => f);
      expect(mergeFragments(shuffled, policy)).toEqual(reference);
    }
  });

  it('changes the content hash when a value or a mapping version changes, not otherwise', () => {
    const base = mergeFragments([hr, payroll], policy).contentHash;
    expect(mergeFragments([payroll, hr], policy).contentHash).toBe(base);
    expect(mergeFragments([{ ...hr, rawOffset: '99' }, payroll], policy).contentHash).toBe(base);
    expect(mergeFragments([{ ...hr, mapping: 'hr-workers@2' }, payroll], policy).contentHash).not.toBe(base);
    const renamed = {
      ...hr,
      fields: { ...hr.fields, name: { value: 'Jane Q. Doe', transformation: 'copy' } },
    };
    expect(mergeFragments([renamed, payroll], policy).contentHash).not.toBe(base);
  });
});
