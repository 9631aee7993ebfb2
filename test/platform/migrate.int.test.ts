import { appendFileSync, cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { migrate } from '../../platform/migrate.js';
import { createTestDatabase, testLogger } from '../helpers/stack.js';

const fixtures = join(import.meta.dirname, '..', 'fixtures', 'migrations');

describe('migrate', () => {
  it('applies each file once, in order, and is idempotent', async () => {
    const url = await createTestDatabase();
    const first = await migrate({ databaseUrl: url, directory: fixtures, log: testLogger() });
    expect(first.applied).toEqual(['0001_create_a.sql', '0002_create_b.sql']);
    const second = await migrate({ databaseUrl: url, directory: fixtures, log: testLogger() });
    expect(second.applied).toEqual([]);
    expect(second.alreadyApplied).toEqual(['0001_create_a.sql', '0002_create_b.sql']);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const { rows } = await client.query<{ n: string }>('SELECT count(*) AS n FROM a');
    await client.end();
    expect(rows[0]?.n).toBe('1');
  });

  it('lets two migrators race without applying anything twice', async () => {
    const url = await createTestDatabase();
    const results = await Promise.all([
      migrate({ databaseUrl: url, directory: fixtures, log: testLogger() }),
      migrate({ databaseUrl: url, directory: fixtures, log: testLogger() }),
    ]);
    expect(results.flatMap((result) => result.applied).sort()).toEqual([
      '0001_create_a.sql',
      '0002_create_b.sql',
    ]);
  });

  it('refuses a migration edited after it was applied, naming it', async () => {
    const url = await createTestDatabase();
    const dir = mkdtempSync(join(tmpdir(), 'trib-migrations-'));
    cpSync(fixtures, dir, { recursive: true });
    await migrate({ databaseUrl: url, directory: dir, log: testLogger() });
    appendFileSync(join(dir, '0001_create_a.sql'), '\nINSERT INTO a VALUES (2);\n');
    await expect(migrate({ databaseUrl: url, directory: dir, log: testLogger() })).rejects.toMatchObject({
      code: 'MIGRATION_CHECKSUM_MISMATCH',
      message: expect.stringContaining('0001_create_a.sql'),
    });
  });

  it('rolls back a failing migration and names it', async () => {
    const url = await createTestDatabase();
    const dir = mkdtempSync(join(tmpdir(), 'trib-migrations-'));
    cpSync(fixtures, dir, { recursive: true });
    appendFileSync(join(dir, '0003_broken.sql'), 'CREATE TABLE c (id int);\nSELECT * FROM missing_table;\n');
    await expect(migrate({ databaseUrl: url, directory: dir, log: testLogger() })).rejects.toMatchObject({
      code: 'MIGRATION_FAILED',
      message: expect.stringContaining('0003_broken.sql'),
    });
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const { rows } = await client.query("SELECT to_regclass('c') AS c");
    await client.end();
    expect(rows[0]?.c).toBeNull();
  });
});
