import type { CrosswalkDefinition } from '../crosswalk.js';
import type { MappedFragment, Mapping } from '../mapping.js';
import { normalizeEmail } from '../normalize/contact.js';
import { parseLocalDate } from '../normalize/dates.js';
import { parseMoney } from '../normalize/money.js';
import { annualize, parsePayFrequency } from '../normalize/payFrequency.js';
import { asRecord, copy, derived, MappingInputError, normalized, requiredString } from './fields.js';

/**
 * The payroll database (CDC, `raw.payroll.payroll.<table>`) numbers employees its own way
 * ("E00123"); its employees table also holds the HR worker id ("W000123") each is paid as. That
 * row is the crosswalk's link; the other payroll tables carry only the payroll number and resolve
 * it through the crosswalk, so payroll and HR fragments merge into one Employee keyed by the HR id.
 */
export const payrollEmployeeCrosswalk: CrosswalkDefinition = {
  name: 'payroll-employee',
  topic: 'raw.payroll.payroll.employees',
  link(envelope) {
    const row = asRecord(envelope.payload, 'payroll employee');
    const workerId = row['hr_worker_id'];
    if (typeof workerId !== 'string' || workerId.trim() === '') return undefined;
    return {
      sourceKey: requiredString(row, 'employee_number', 'payroll employee'),
      businessKey: workerId.trim(),
    };
  },
};

/** The HR worker id a payroll employee row is linked to; a row without one cannot join HR. */
function linkedWorkerId(row: Record<string, unknown>): string {
  const employeeNumber = requiredString(row, 'employee_number', 'payroll employee');
  try {
    return requiredString(row, 'hr_worker_id', 'payroll employee');
  } catch {
    throw new MappingInputError(
      `payroll employee ${employeeNumber}: hr_worker_id is missing, so it cannot be joined with an HR worker`,
    );
  }
}

/** Deletes carry the full old row (REPLICA IDENTITY FULL), so the keys are always known. */
export const payrollEmployeesMapping: Mapping = {
  id: 'payroll-employees',
  version: 2,
  topics: ['raw.payroll.payroll.employees'],
  knownFields: [
    'employee_number',
    'hr_worker_id',
    'first_name',
    'last_name',
    'email',
    'department',
    'hire_date',
    'status',
    'notes',
    'version',
    'updated_at',
  ],
  map(envelope, observe): MappedFragment[] {
    const row = asRecord(envelope.payload, 'payroll employee');
    const workerId = linkedWorkerId(row);
    if (envelope.operation === 'delete') return [{ entity: 'employee', businessKey: workerId, fields: {} }];
    return [
      {
        entity: 'employee',
        businessKey: workerId,
        fields: {
          employeeNumber: derived(workerId, 'copy(hr_worker_id)'),
          givenName: copy(row['first_name']),
          familyName: copy(row['last_name']),
          workEmail: normalized(observe, 'email', row['email'], 'lowercase(email)', normalizeEmail),
          hireDate: normalized(observe, 'hire_date', row['hire_date'], 'date', (value) =>
            parseLocalDate(value),
          ),
          employmentStatus: derived(
            typeof row['status'] === 'string' && row['status'].toLowerCase() === 'terminated'
              ? 'terminated'
              : 'active',
            'enum(status)',
          ),
        },
      },
    ];
  },
};

/** Pay rates: the payroll system is the system of record for compensation. */
export const payrollPayRatesMapping: Mapping = {
  id: 'payroll-pay-rates',
  version: 2,
  topics: ['raw.payroll.payroll.pay_rates'],
  knownFields: ['employee_number', 'currency', 'amount', 'frequency', 'effective_from', 'version'],
  map(envelope, observe, context): MappedFragment[] {
    const row = asRecord(envelope.payload, 'payroll pay rate');
    const payrollNumber = requiredString(row, 'employee_number', 'payroll pay rate');
    // A miss is retryable: the employee row that links this number may not have been read yet.
    const workerId = context.crosswalk.resolve(
      payrollEmployeeCrosswalk.name,
      envelope.sourceInstance,
      payrollNumber,
    );
    if (envelope.operation === 'delete') return [{ entity: 'employee', businessKey: workerId, fields: {} }];
    let compensation: MappedFragment['fields'][string];
    try {
      const original = parseMoney(
        requiredString(row, 'amount', 'payroll pay rate'),
        requiredString(row, 'currency', 'payroll pay rate'),
      );
      const frequency = parsePayFrequency(requiredString(row, 'frequency', 'payroll pay rate'));
      const annual = annualize(original, frequency);
      const effectiveDate =
        typeof row['effective_from'] === 'string' ? parseLocalDate(row['effective_from']) : null;
      compensation = derived(
        { annualized: annual.value, original, payFrequency: frequency, effectiveDate },
        annual.transformation === 'copy' ? 'copy' : annual.transformation,
      );
    } catch {
      observe.typeMismatch('amount', 'money');
      compensation = derived(null, 'invalid(compensation)');
    }
    // The business key travels with every fragment: an employee known only from its pay rate
    // (HR and payroll rows not arrived yet, or deleted) must still be a valid Employee.
    return [
      {
        entity: 'employee',
        businessKey: workerId,
        fields: {
          employeeNumber: derived(workerId, `crosswalk(${payrollEmployeeCrosswalk.name}, employee_number)`),
          compensation,
        },
      },
    ];
  },
};
