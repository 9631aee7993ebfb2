import pg from 'pg';
import { Prng } from '../../simulators/prng.js';
import { employeeRows, insertEmployee } from './payrollDatabase.js';

export interface PayrollWriterOptions {
  databaseUrl: string;
  /** Source transactions per second. @default 20 */
  ratePerSecond?: number;
  /** @default 7 */
  seed?: number;
  /** Called with each failed operation (the writer keeps going). */
  onError?: (error: unknown) => void;
}

export interface PayrollWriterStats {
  transactions: number;
  inserts: number;
  updates: number;
  deletes: number;
  errors: number;
}

/**
 * Background churn on the payroll database: new hires, updates of employees, pay rates and bank
 * details (each bumps `version`, so every upsert has distinct content), payslips, and leavers
 * (deleted with their rows by cascade). Several statements share a transaction, so tests see
 * multi-row source transactions.
 */
export class PayrollWriter {
  readonly stats: PayrollWriterStats = { transactions: 0, inserts: 0, updates: 0, deletes: 0, errors: 0 };
  private running: Promise<void> | undefined;
  private stopped = false;
  private readonly prng: Prng;

  constructor(private readonly options: PayrollWriterOptions) {
    this.prng = new Prng(options.seed ?? 7);
  }

  start(): void {
    if (this.running) return;
    this.running = this.loop();
  }

  async stop(): Promise<PayrollWriterStats> {
    this.stopped = true;
    await this.running;
    return this.stats;
  }

  /** Runs `count` transactions as fast as possible (benchmarks, bulk churn). */
  async runBurst(count: number): Promise<PayrollWriterStats> {
    const client = new pg.Client({ connectionString: this.options.databaseUrl });
    client.on('error', (error) => this.options.onError?.(error));
    await client.connect();
    try {
      let next = await this.nextEmployee(client);
      let payslip = await this.nextPayslip(client);
      for (let i = 0; i < count; i++) ({ next, payslip } = await this.step(client, next, payslip));
    } finally {
      await client.end();
    }
    return this.stats;
  }

  private async nextEmployee(client: pg.Client): Promise<number> {
    const { rows } = await client.query<{ n: number | null }>(
      `SELECT max(substr(employee_number, 2)::int) AS n FROM payroll.employees`,
    );
    return (rows[0]?.n ?? 0) + 1;
  }

  private async nextPayslip(client: pg.Client): Promise<number> {
    const { rows } = await client.query<{ n: string | null }>(
      'SELECT max(id)::text AS n FROM payroll.pay_history',
    );
    return Number(rows[0]?.n ?? 0) + 1;
  }

  private async loop(): Promise<void> {
    const client = new pg.Client({ connectionString: this.options.databaseUrl });
    client.on('error', (error) => this.options.onError?.(error));
    await client.connect();
    const interval = 1000 / (this.options.ratePerSecond ?? 20);
    try {
      let next = await this.nextEmployee(client);
      let payslip = await this.nextPayslip(client);
      while (!this.stopped) {
        const started = Date.now();
        ({ next, payslip } = await this.step(client, next, payslip));
        const wait = interval - (Date.now() - started);
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      }
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  private async step(
    client: pg.Client,
    next: number,
    payslip: number,
  ): Promise<{ next: number; payslip: number }> {
    const roll = this.prng.next();
    try {
      await client.query('BEGIN');
      const pick = await client.query<{ id: string }>(
        'SELECT employee_number AS id FROM payroll.employees ORDER BY random() LIMIT 2',
      );
      const [a, b] = pick.rows.map((row) => row.id);
      if (roll < 0.15 || !a) {
        await insertEmployee(client, employeeRows(this.options.seed ?? 7, next));
        this.stats.inserts += 3;
        next++;
      } else if (roll < 0.45) {
        await client.query(
          `UPDATE payroll.employees SET department = $2, version = version + 1, updated_at = now() WHERE employee_number = $1`,
          [a, this.prng.pick(['Engineering', 'Finance', 'Sales', 'People', 'Legal', 'Operations'])],
        );
        this.stats.updates++;
        if (b) {
          await client.query(
            'UPDATE payroll.pay_rates SET amount = amount + 1, version = version + 1 WHERE employee_number = $1',
            [b],
          );
          this.stats.updates++;
        }
      } else if (roll < 0.6) {
        await client.query(
          `UPDATE payroll.bank_details SET account_number = $2, version = version + 1 WHERE employee_number = $1`,
          [a, String(this.prng.int(100_000_000, 999_999_999)) + String(this.prng.int(100, 999))],
        );
        this.stats.updates++;
      } else if (roll < 0.88) {
        await client.query(
          `INSERT INTO payroll.pay_history (id, employee_number, pay_date, gross, net, currency)
           SELECT $1, employee_number, current_date, amount / 12, round(amount / 12 * 0.7, 2), currency FROM payroll.pay_rates WHERE employee_number = $2`,
          [payslip, a],
        );
        this.stats.inserts++;
        payslip++;
      } else {
        await client.query('DELETE FROM payroll.employees WHERE employee_number = $1', [a]);
        this.stats.deletes++;
      }
      await client.query('COMMIT');
      this.stats.transactions++;
    } catch (error) {
      this.stats.errors++;
      await client.query('ROLLBACK').catch(() => undefined);
      this.options.onError?.(error);
    }
    return { next, payslip };
  }
}
