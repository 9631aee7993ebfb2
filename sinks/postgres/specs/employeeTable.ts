import type { EntityTableSpec } from './entityTableSpec.js';
import { field, json, moneyAmount, moneyCurrency } from './extractors.js';

/** canonical.employee → table `employee` (migration 0101). */
export const employeeTable: EntityTableSpec = {
  entity: 'employee',
  table: 'employee',
  columns: [
    { name: 'employee_number', type: 'text', extract: field('employeeNumber') },
    { name: 'given_name', type: 'text', extract: field('givenName') },
    { name: 'family_name', type: 'text', extract: field('familyName') },
    { name: 'display_name', type: 'text', extract: field('displayName') },
    { name: 'email', type: 'text', extract: field('email') },
    { name: 'job_title', type: 'text', extract: field('jobTitle') },
    { name: 'department', type: 'text', extract: field('department') },
    { name: 'employment_status', type: 'text', extract: field('employmentStatus') },
    { name: 'employment_type', type: 'text', extract: field('employmentType') },
    { name: 'cost_center_id', type: 'uuid', extract: field('costCenterId') },
    { name: 'manager_id', type: 'uuid', extract: field('managerId') },
    { name: 'hire_date', type: 'date', extract: field('hireDate') },
    { name: 'termination_date', type: 'date', extract: field('terminationDate') },
    { name: 'annual_salary_amount', type: 'numeric', extract: moneyAmount('annualSalary') },
    { name: 'annual_salary_currency', type: 'text', extract: moneyCurrency('annualSalary') },
    { name: 'work_location', type: 'jsonb', extract: json('workLocation') },
  ],
  children: [],
};
