import { randomUUID } from 'node:crypto';
import { copyFileSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { migrate } from '../../../platform/migrate.js';
import { projectRoot } from '../../../platform/stack/paths.js';
import { createTestDatabase, testLogger } from '../../helpers/stack.js';
import { employeeRecord, invoiceRecord, vendorRecord } from './canonicalFixtures.js';

function migrationsDir(upTo: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'sink-migrations-'));
  for (const name of readdirSync(join(projectRoot, 'migrations'))) {
    if (/^01\d\d_.*\.sql$/.test(name) && name <= upTo) {
      copyFileSync(join(projectRoot, 'migrations', name), join(dir, name));
    }
  }
  return dir;
}

describe('migration 0105 (typed columns aligned with the contracts)', () => {
  it('backfills the renamed and new typed columns of rows written before it from their data', async () => {
    const url = await createTestDatabase('trib_sink_mig');
    const pool = new pg.Pool({ connectionString: url, max: 2 });
    // The helper drops the database (WITH FORCE) after the test: idle clients must not crash the run.
    pool.on('error', () => undefined);
    try {
      await migrate({ databaseUrl: url, directory: migrationsDir('0104_~'), log: testLogger() });
      const [e, v, i] = [randomUUID(), randomUUID(), randomUUID()];
      const insert = (table: string, id: string, data: unknown) =>
        pool.query(
          `INSERT INTO ${table} (id, version, data, provenance, source_topic, source_partition, source_offset) VALUES ($1, 1, $2, '{}', 't', 0, 0)`,
          [id, JSON.stringify(data)],
        );
      await insert('employee', e, employeeRecord(e, 1).data);
      await insert('vendor', v, vendorRecord(v, 1).data);
      await insert('invoice', i, invoiceRecord(i, 1, 3).data);

      await migrate({ databaseUrl: url, directory: migrationsDir('0199_~'), log: testLogger() });
      const employee = await pool.query(
        'SELECT work_email, department_id::text, compensation_annualized_amount::text, pay_frequency FROM employee',
      );
      expect(employee.rows).toEqual([
        {
          work_email: `ada.${e.slice(0, 8)}@example.com`,
          department_id: employeeRecord(e, 1).data['departmentId'],
          compensation_annualized_amount: '50001.0000',
          pay_frequency: 'monthly',
        },
      ]);
      const vendor = await pool.query('SELECT display_name, payment_terms_days FROM vendor');
      expect(vendor.rows).toEqual([{ display_name: 'Acme Supplies', payment_terms_days: 30 }]);
      const invoice = await pool.query('SELECT vendor_number, tax_total_amount::text FROM invoice');
      expect(invoice.rows).toEqual([{ vendor_number: 'V-1000', tax_total_amount: '5.8800' }]);
      const lines = await pool.query(
        'SELECT line_index, unit_price::text, net_amount::text FROM invoice_line ORDER BY line_index',
      );
      expect(lines.rows).toEqual(
        [0, 1, 2].map((index) => ({ line_index: index, unit_price: '4.123456789', net_amount: '10.3100' })),
      );
    } finally {
      await pool.end();
    }
  });
});
