import { describe, expect, it } from 'vitest';
import { resolvePostgresSinkOptions } from '../../../sinks/postgres/sinkOptions.js';
import { employeeTable } from '../../../sinks/postgres/specs/employeeTable.js';

describe('resolvePostgresSinkOptions', () => {
  it('derives the water marks from the batch size (two batches buffered at most) unless given', () => {
    const defaults = resolvePostgresSinkOptions({ entities: [employeeTable] });
    expect(defaults).toMatchObject({
      maxBatchRecords: 5000,
      highWaterRecords: 10_000,
      lowWaterRecords: 2500,
    });
    expect(resolvePostgresSinkOptions({ entities: [employeeTable], maxBatchRecords: 300 })).toMatchObject({
      highWaterRecords: 600,
      lowWaterRecords: 150,
    });
    expect(
      resolvePostgresSinkOptions({ entities: [employeeTable], highWaterRecords: 150, lowWaterRecords: 50 }),
    ).toMatchObject({ highWaterRecords: 150, lowWaterRecords: 50 });
  });

  it('refuses water marks that cannot work, naming the field', () => {
    expect(() =>
      resolvePostgresSinkOptions({ entities: [employeeTable], highWaterRecords: 100, lowWaterRecords: 100 }),
    ).toThrow(/lowWaterRecords/);
  });
});
