import { canonicalId } from '../identity.js';
import type { MappedFragment, Mapping } from '../mapping.js';
import { normalizeEmail, normalizePhone } from '../normalize/contact.js';
import { normalizeCountry } from '../normalize/country.js';
import { parseLocalDate } from '../normalize/dates.js';
import { parseMoney } from '../normalize/money.js';
import { annualize, parsePayFrequency } from '../normalize/payFrequency.js';
import {
  asRecord,
  copy,
  derived,
  MappingInputError,
  normalizeCostCenterCode,
  normalized,
  requiredString,
} from './fields.js';

const statuses: Record<string, string> = {
  active: 'active',
  'on leave': 'on_leave',
  terminated: 'terminated',
  pending: 'pending',
  suspended: 'suspended',
};

/** HR workers → Employee. The HR worker id is the company-wide employee number (the business key). */
export const hrWorkersMapping: Mapping = {
  id: 'hr-workers',
  version: 1,
  topics: ['raw.hr.workers'],
  knownFields: [
    'id',
    'firstName',
    'lastName',
    'preferredName',
    'workEmail',
    'phone',
    'country',
    'location',
    'jobId',
    'jobTitle',
    'departmentId',
    'managerId',
    'costCenter',
    'status',
    'hireDate',
    'terminationDate',
    'compensation',
    'legacyId',
    'customFields',
    'updatedAt',
  ],
  map(envelope, observe): MappedFragment[] {
    const worker = asRecord(envelope.payload ?? { id: envelope.naturalKey }, 'hr worker');
    const employeeNumber =
      envelope.operation === 'delete' ? envelope.naturalKey : requiredString(worker, 'id', 'hr worker');
    if (envelope.operation === 'delete')
      return [{ entity: 'employee', businessKey: employeeNumber, fields: {} }];
    const country = normalized(observe, 'country', worker['country'], 'iso3166(alpha2)', normalizeCountry);
    const countryCode = typeof country.value === 'string' ? country.value : undefined;
    const fields: MappedFragment['fields'] = {
      employeeNumber: copy(employeeNumber),
      givenName: copy(worker['firstName']),
      familyName: copy(worker['lastName']),
      preferredName: copy(worker['preferredName']),
      workEmail: normalized(observe, 'workEmail', worker['workEmail'], 'lowercase(email)', normalizeEmail),
      workPhone: normalized(observe, 'phone', worker['phone'], `e164(${countryCode ?? '?'})`, (value) =>
        normalizePhone(value, countryCode),
      ),
      countryCode: country,
      jobTitle: copy(worker['jobTitle']),
      departmentId: normalized(
        observe,
        'departmentId',
        worker['departmentId'],
        'ref(org_unit, id)',
        (value) => canonicalId('org_unit', value),
      ),
      managerId: normalized(observe, 'managerId', worker['managerId'], 'ref(employee, id)', (value) =>
        canonicalId('employee', value),
      ),
      costCenterId: normalized(
        observe,
        'costCenter',
        worker['costCenter'],
        'ref(cost_center, digits padded to 10)',
        (value) => canonicalId('cost_center', normalizeCostCenterCode(value)),
      ),
      locationId: normalized(observe, 'location', worker['location'], 'ref(location, city)', (value) =>
        canonicalId('location', value.split(',')[0]?.trim() ?? value),
      ),
      employmentStatus: normalized(observe, 'status', worker['status'], 'enum(status)', (value) => {
        const status = statuses[value.trim().toLowerCase()];
        if (!status) throw new MappingInputError(`unknown status ${value}`);
        return status;
      }),
      hireDate: normalized(observe, 'hireDate', worker['hireDate'], 'date(MDY)', (value) =>
        parseLocalDate(value, { order: 'MDY' }),
      ),
      terminationDate:
        worker['terminationDate'] === undefined || worker['terminationDate'] === null
          ? copy(null)
          : normalized(observe, 'terminationDate', worker['terminationDate'], 'date(MDY)', (value) =>
              parseLocalDate(value, { order: 'MDY' }),
            ),
    };
    const compensation = worker['compensation'];
    if (compensation && typeof compensation === 'object') {
      const { amount, currency, payFrequency } = compensation as Record<string, unknown>;
      try {
        const original = parseMoney(String(amount), String(currency));
        const frequency = parsePayFrequency(String(payFrequency));
        const annual = annualize(original, frequency);
        fields['compensation'] = derived(
          { annualized: annual.value, original, payFrequency: frequency },
          `${annual.transformation === 'copy' ? 'money(locale)' : `${annual.transformation}; money(locale)`}`,
        );
      } catch {
        observe.typeMismatch('compensation', 'money');
        fields['compensation'] = derived(null, 'invalid(compensation)');
      }
    } else {
      observe.missingField('compensation');
    }
    return [{ entity: 'employee', businessKey: employeeNumber, fields }];
  },
};
