import { readFileSync } from 'node:fs';
import pg from 'pg';
import { ensureDatabase } from '../../../platform/postgres.js';
import { Prng } from '../../simulators/prng.js';

/** The captured tables, in the order the CDC producer is configured with them. */
export const payrollTables = [
  'payroll.employees',
  'payroll.pay_rates',
  'payroll.pay_history',
  'payroll.bank_details',
] as const;

const firstNames = [
  'Ada',
  'Grace',
  'Alan',
  'Edsger',
  'Barbara',
  'Donald',
  'Frances',
  'Ken',
  'Radia',
  'Tim',
  'Margaret',
  'Linus',
];
const lastNames = [
  'Lovelace',
  'Hopper',
  'Turing',
  'Dijkstra',
  'Liskov',
  'Knuth',
  'Allen',
  'Thompson',
  'Perlman',
  'Berners-Lee',
  'Hamilton',
  'Torvalds',
];
const departments = ['Engineering', 'Finance', 'Sales', 'People', 'Legal', 'Operations'];
const banks = ['First National', 'Harbor Savings', 'Union Trust', 'Metro Credit'];
const currencies = ['USD', 'EUR', 'GBP'];

/** The payroll system's own employee number ("E00123"); not the HR worker id. */
export function employeeNumber(n: number): string {
  return `E${String(n).padStart(5, '0')}`;
}

/** The HR worker id payroll employee n is paid as ("W000123"): the crosswalk link. */
export function hrWorkerId(n: number): string {
  return `W${String(n).padStart(6, '0')}`;
}

export interface EmployeeRows {
  employee: unknown[];
  payRate: unknown[];
  bank: unknown[];
}

/** Deterministic rows for employee n (1-based) from a seed. */
export function employeeRows(seed: number, n: number): EmployeeRows {
  const prng = Prng.derive(seed, `employee-${n}`);
  const id = employeeNumber(n);
  const first = prng.pick(firstNames);
  const last = prng.pick(lastNames);
  const hire = new Date(Date.UTC(2015 + prng.int(0, 10), prng.int(0, 11), prng.int(1, 28)))
    .toISOString()
    .slice(0, 10);
  const frequency = prng.pick(['annual', 'monthly', 'hourly']);
  const amount =
    frequency === 'annual'
      ? prng.int(40_000, 180_000)
      : frequency === 'monthly'
        ? prng.int(3_000, 15_000)
        : prng.int(15, 90);
  return {
    employee: [
      id,
      hrWorkerId(n),
      first,
      last,
      `${first}.${last}.${n}@example.com`.toLowerCase(),
      prng.pick(departments),
      hire,
      'active',
      null,
    ],
    payRate: [
      id,
      prng.pick(currencies),
      `${amount}.${String(prng.int(0, 99)).padStart(2, '0')}`,
      frequency,
      hire,
    ],
    bank: [
      id,
      prng.pick(banks),
      String(prng.int(10_000_000, 99_999_999)) + String(prng.int(1000, 9999)),
      String(prng.int(100_000_000, 999_999_999)),
    ],
  };
}

export async function insertEmployee(client: pg.ClientBase, rows: EmployeeRows): Promise<void> {
  await client.query(
    `INSERT INTO payroll.employees (employee_number, hr_worker_id, first_name, last_name, email, department, hire_date, status, notes)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    rows.employee,
  );
  await client.query(
    'INSERT INTO payroll.pay_rates (employee_number, currency, amount, frequency, effective_from) VALUES ($1, $2, $3, $4, $5)',
    rows.payRate,
  );
  await client.query(
    'INSERT INTO payroll.bank_details (employee_number, bank_name, account_number, routing_number) VALUES ($1, $2, $3, $4)',
    rows.bank,
  );
}

export interface PayrollSeedOptions {
  /** @default 200 */
  employees?: number;
  /** @default 42 */
  seed?: number;
  /** Pay history rows per employee. @default 3 */
  payslipsPerEmployee?: number;
}

/**
 * Creates the database (if missing) and the payroll schema, and seeds it deterministically when
 * empty. Idempotent: a second call on a seeded database changes nothing.
 */
export async function createPayrollDatabase(
  databaseUrl: string,
  options: PayrollSeedOptions = {},
): Promise<{ seeded: boolean }> {
  await ensureDatabase(databaseUrl);
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(readFileSync(new URL('./schema.sql', import.meta.url), 'utf8'));
    const { rows } = await client.query<{ n: string }>('SELECT count(*)::text AS n FROM payroll.employees');
    if (rows[0]?.n !== '0') return { seeded: false };
    const seed = options.seed ?? 42;
    const count = options.employees ?? 200;
    const payslips = options.payslipsPerEmployee ?? 3;
    await client.query('BEGIN');
    for (let n = 1; n <= count; n++) {
      const rowsOf = employeeRows(seed, n);
      await insertEmployee(client, rowsOf);
      for (let p = 0; p < payslips; p++) {
        await client.query(
          `INSERT INTO payroll.pay_history (id, employee_number, pay_date, gross, net, currency)
           SELECT $1, $2, date '2026-01-31' + ($3::int * interval '1 month'), amount / 12, round(amount / 12 * 0.7, 2), currency
             FROM payroll.pay_rates WHERE employee_number = $2`,
          [n * 1000 + p, employeeNumber(n), p],
        );
      }
    }
    await client.query('COMMIT');
    return { seeded: true };
  } finally {
    await client.end();
  }
}
