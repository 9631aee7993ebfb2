/** Primary-key column of each payroll table (producers/sources/payroll/schema.sql). */
export const keyColumnOfPayroll: Readonly<Record<string, string>> = {
  'payroll.employees': 'employee_number',
  'payroll.pay_rates': 'employee_number',
  'payroll.pay_history': 'id',
  'payroll.bank_details': 'employee_number',
};
