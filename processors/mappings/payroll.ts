import type { MappedFragment, Mapping } from '../mapping.js';
import { normalizeEmail } from '../normalize/contact.js';
import { parseLocalDate } from '../normalize/dates.js';
import { parseMoney } from '../normalize/money.js';
import { annualize, parsePayFrequency } from '../normalize/payFrequency.js';
import { asRecord, copy, derived, normalized, requiredString } from './fields.js';

/**
 * The payroll database (CDC, `raw.payroll.payroll.<table>`): its employee number is the HR
 * worker id, so payroll and HR fragments merge into one Employee. Deletes carry the full old row
 * (REPLICA IDENTITY FULL), so the key is always known.
 */
export const payrollEmployeesMapping: Mapping = {
  id: 'payroll-employees',
  version: 1,
  topics: ['raw.payroll.payroll.employees'],
  knownFields: [
    'employee_number',
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
    const employeeNumber = requiredString(row, 'employee_number', 'payroll employee');
    if (envelope.operation === 'delete')
      return [{ entity: 'employee', businessKey: employeeNumber, fields: {} }];
    return [
      {
        entity: 'employee',
        businessKey: employeeNumber,
        fields: {
          employeeNumber: copy(employeeNumber),
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
  version: 1,
  topics: ['raw.payroll.payroll.pay_rates'],
  knownFields: ['employee_number', 'currency', 'amount', 'frequency', 'effective_from', 'version'],
  map(envelope, observe): MappedFragment[] {
    const row = asRecord(envelope.payload, 'payroll pay rate');
    const employeeNumber = requiredString(row, 'employee_number', 'payroll pay rate');
    if (envelope.operation === 'delete')
      return [{ entity: 'employee', businessKey: employeeNumber, fields: {} }];
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
        businessKey: employeeNumber,
        fields: { employeeNumber: copy(employeeNumber), compensation },
      },
    ];
  },
};
