import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { entityCatalog } from '../../../../schemas/entityCatalog.js';
import { entityTables } from '../../../../sinks/postgres/specs/entityTables.js';
import { assertContractValid, employeeRecord, fixtureOf } from '../canonicalFixtures.js';

describe('entity table specs', () => {
  it('cover exactly the entities of the canonical catalog', () => {
    expect(entityTables.map((spec) => spec.entity).sort()).toEqual(
      entityCatalog.map((contract) => contract.entity).sort(),
    );
  });

  for (const contract of entityCatalog) {
    it(`${contract.entity}: the fixture sets every contract field and every typed column reads a value from it`, () => {
      const build = fixtureOf[contract.entity];
      if (!build) throw new Error(`no fixture for ${contract.entity}`);
      const record = assertContractValid(build(randomUUID()));
      // The fixture exercises the whole contract, so a column reading a field the contract does
      // not have (or under another name) is caught below as a null.
      expect(Object.keys(record.data).sort()).toEqual(Object.keys(contract.dataSchema.shape).sort());
      const spec = entityTables.find((candidate) => candidate.entity === contract.entity);
      if (!spec) throw new Error(`no spec for ${contract.entity}`);
      const nullColumns = spec.columns
        .filter((column) => (column.extract(record.data) ?? null) === null)
        .map((column) => column.name);
      expect(nullColumns).toEqual([]);
      for (const child of spec.children) {
        const rows = child.rows(record.data);
        expect(rows.length).toBeGreaterThan(0);
        for (const row of rows) {
          expect(
            child.columns.filter((column) => (column.extract(row) ?? null) === null).map((c) => c.name),
          ).toEqual([]);
        }
      }
    });
  }

  it('reads money as a decimal string amount plus its currency, never through a float', () => {
    const record = employeeRecord(randomUUID(), 1, {
      compensation: {
        annualized: { amount: '123456789012345.67', currency: 'EUR' },
        original: { amount: '10288065751028.81', currency: 'EUR' },
        payFrequency: 'monthly',
      },
    });
    assertContractValid(record);
    const employee = entityTables.find((spec) => spec.entity === 'employee');
    const column = (name: string) => employee?.columns.find((candidate) => candidate.name === name);
    expect(column('compensation_annualized_amount')?.extract(record.data)).toBe('123456789012345.67');
    expect(column('compensation_annualized_currency')?.extract(record.data)).toBe('EUR');
    expect(column('standard_hours_per_week')?.extract(record.data)).toBeNull();
  });
});
