import type { EntityTableSpec } from './entityTableSpec.js';
import { field, moneyAmount, moneyCurrency } from './extractors.js';

/** canonical.employee (schemas/entities/employee.ts) → table `employee` (migrations 0101, 0105). */
export const employeeTable: EntityTableSpec = {
  entity: 'employee',
  table: 'employee',
  columns: [
    { name: 'employee_number', type: 'text', extract: field('employeeNumber') },
    { name: 'given_name', type: 'text', extract: field('givenName') },
    { name: 'family_name', type: 'text', extract: field('familyName') },
    { name: 'preferred_name', type: 'text', extract: field('preferredName') },
    { name: 'work_email', type: 'text', extract: field('workEmail') },
    { name: 'work_phone', type: 'text', extract: field('workPhone') },
    { name: 'country_code', type: 'text', extract: field('countryCode') },
    { name: 'job_title', type: 'text', extract: field('jobTitle') },
    { name: 'department_id', type: 'uuid', extract: field('departmentId') },
    { name: 'manager_id', type: 'uuid', extract: field('managerId') },
    { name: 'cost_center_id', type: 'uuid', extract: field('costCenterId') },
    { name: 'location_id', type: 'uuid', extract: field('locationId') },
    { name: 'employment_status', type: 'text', extract: field('employmentStatus') },
    { name: 'employment_type', type: 'text', extract: field('employmentType') },
    { name: 'hire_date', type: 'date', extract: field('hireDate') },
    { name: 'termination_date', type: 'date', extract: field('terminationDate') },
    {
      name: 'compensation_annualized_amount',
      type: 'numeric',
      extract: moneyAmount('compensation.annualized'),
    },
    {
      name: 'compensation_annualized_currency',
      type: 'text',
      extract: moneyCurrency('compensation.annualized'),
    },
    {
      name: 'compensation_original_amount',
      type: 'numeric',
      extract: moneyAmount('compensation.original'),
    },
    {
      name: 'compensation_original_currency',
      type: 'text',
      extract: moneyCurrency('compensation.original'),
    },
    { name: 'pay_frequency', type: 'text', extract: field('compensation.payFrequency') },
    {
      name: 'standard_hours_per_week',
      type: 'numeric',
      extract: field('compensation.standardHoursPerWeek'),
    },
    { name: 'compensation_effective_date', type: 'date', extract: field('compensation.effectiveDate') },
  ],
  children: [],
};
