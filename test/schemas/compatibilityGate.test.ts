import { describe, expect, it } from 'vitest';
import { z } from 'zod/v4';
import { canonicalRecordSchema } from '../../schemas/canonicalRecord.js';
import {
  checkContract,
  checkContracts,
  formatGateViolation,
  publishContract,
} from '../../schemas/compatibilityGate.js';
import { employeeSchema } from '../../schemas/entities/employee.js';
import { contractFor, entityCatalog } from '../../schemas/entityCatalog.js';
import type { EntityContract } from '../../schemas/entityContract.js';
import { publishedJsonSchema } from '../../schemas/jsonSchema.js';
import { fileSchemaHistory, memorySchemaHistory } from '../../schemas/schemaHistory.js';

const employeeV1 = contractFor('employee');

function evolvedEmployee(version: number, data: z.ZodObject): EntityContract {
  return { ...employeeV1, version, dataSchema: data, schema: canonicalRecordSchema('employee', data) };
}

function historyWithV1() {
  return memorySchemaHistory({ employee: [{ version: 1, schema: publishedJsonSchema(employeeV1.schema) }] });
}

describe('compatibility gate over the committed contracts (runs in the test command)', () => {
  it('passes for every entity: published, unchanged, BACKWARD_TRANSITIVE with its history', async () => {
    const violations = await checkContracts(entityCatalog, fileSchemaHistory());
    expect(violations.map(formatGateViolation)).toEqual([]);
  });

  it('finds a committed history v1..version for every entity', async () => {
    const history = fileSchemaHistory();
    for (const contract of entityCatalog) {
      const versions = (await history.versions(contract.entity)).map((entry) => entry.version);
      expect(versions, contract.entity).toEqual(
        Array.from({ length: contract.version }, (_, index) => index + 1),
      );
    }
  });
});

describe('compatibility gate on evolutions', () => {
  it('accepts adding an optional field as the next version', async () => {
    const history = historyWithV1();
    const v2 = evolvedEmployee(
      2,
      employeeSchema.extend({ badgeId: z.string().nullable().optional().describe('Building badge id.') }),
    );
    expect(await publishContract(v2, history)).toBe('published');
    expect((await history.versions('employee')).map((entry) => entry.version)).toEqual([1, 2]);
    expect(await checkContract(v2, history)).toEqual([]);
    // Re-running is idempotent.
    expect(await publishContract(v2, history)).toBe('unchanged');
  });

  it('rejects removing a required field, naming entity, field and rule, and publishes nothing', async () => {
    const history = historyWithV1();
    const v2 = evolvedEmployee(2, employeeSchema.omit({ employeeNumber: true }));
    await expect(publishContract(v2, history)).rejects.toMatchObject({
      code: 'SCHEMA_INCOMPATIBLE',
      message: expect.stringContaining('employee: data.employeeNumber: REQUIRED_PROPERTY_REMOVED (vs v1)'),
    });
    expect((await history.versions('employee')).map((entry) => entry.version)).toEqual([1]);
  });

  it('rejects narrowing a type', async () => {
    const history = historyWithV1();
    const v2 = evolvedEmployee(
      2,
      employeeSchema.extend({ jobTitle: z.enum(['engineer', 'manager']).nullable().optional() }),
    );
    await expect(publishContract(v2, history)).rejects.toThrow('employee: data.jobTitle: ENUM_ADDED (vs v1)');
  });

  it('checks transitively: v3 must read v1 data, not only v2 data', async () => {
    const history = historyWithV1();
    const withBadge = employeeSchema.extend({ badgeId: z.string().nullable().optional() });
    await publishContract(evolvedEmployee(2, withBadge), history);
    // v3 drops the nullability of hireDate that v1 and v2 allowed.
    const v3 = evolvedEmployee(3, withBadge.extend({ hireDate: z.iso.date().optional() }));
    const violations = await checkContract(v3, history);
    expect(violations.map((violation) => `${violation.rule}@v${violation.againstVersion}`)).toEqual(
      expect.arrayContaining(['NULL_NO_LONGER_ALLOWED@v1', 'NULL_NO_LONGER_ALLOWED@v2']),
    );
  });

  it('rejects changing a published version in place', async () => {
    const history = historyWithV1();
    const edited = evolvedEmployee(1, employeeSchema.extend({ badgeId: z.string().optional() }));
    const violations = await checkContract(edited, history);
    expect(violations.map((violation) => violation.rule)).toEqual(['UNPUBLISHED_CHANGE']);
    await expect(publishContract(edited, history)).rejects.toThrow(/UNPUBLISHED_CHANGE/);
  });

  it('reports a missing publication and a history gap', async () => {
    expect(
      (await checkContract(employeeV1, memorySchemaHistory())).map((violation) => violation.rule),
    ).toEqual(['NOT_PUBLISHED']);
    const gap = memorySchemaHistory({
      employee: [{ version: 2, schema: publishedJsonSchema(employeeV1.schema) }],
    });
    const rules = (await checkContract(evolvedEmployee(2, employeeSchema), gap)).map(
      (violation) => violation.rule,
    );
    expect(rules).toContain('HISTORY_GAP');
  });
});
