-- Aligns the typed columns of employee, cost_center, vendor, invoice and invoice_line with the
-- canonical contracts in schemas/entities/*.ts (0101–0104 used field names the contracts do not
-- have, so those columns stayed NULL). Naming rule from here on: a contract field fooBar becomes
-- foo_bar; a Money field fooBar becomes foo_bar_amount numeric + foo_bar_currency char(3)
-- (invoice lines: net_amount/net_currency, tax_amount/tax_currency); a reference xxxId is a
-- uuid column xxx_id holding the referenced canonical id. Columns with no contract field are
-- dropped (the full record stays in data jsonb). Existing rows are backfilled from data, so
-- no replay is needed after this migration.

-- employee ---------------------------------------------------------------------------------
ALTER TABLE employee RENAME COLUMN display_name TO preferred_name;
ALTER TABLE employee RENAME COLUMN email TO work_email;            -- employee_email_idx follows
ALTER TABLE employee RENAME COLUMN annual_salary_amount TO compensation_annualized_amount;
ALTER TABLE employee RENAME COLUMN annual_salary_currency TO compensation_annualized_currency;
ALTER TABLE employee DROP COLUMN department;
ALTER TABLE employee DROP COLUMN work_location;
ALTER TABLE employee
  ADD COLUMN work_phone                     text,
  ADD COLUMN country_code                   char(2) CHECK (country_code ~ '^[A-Z]{2}$'),
  ADD COLUMN department_id                  uuid,
  ADD COLUMN location_id                    uuid,
  ADD COLUMN compensation_original_amount   numeric(20, 4),
  ADD COLUMN compensation_original_currency char(3) CHECK (compensation_original_currency ~ '^[A-Z]{3}$'),
  ADD COLUMN pay_frequency                  text,
  ADD COLUMN standard_hours_per_week        numeric,
  ADD COLUMN compensation_effective_date    date,
  ADD CHECK ((compensation_original_amount IS NULL) = (compensation_original_currency IS NULL));
-- Org chart by department, people per location.
CREATE INDEX employee_department_idx ON employee (department_id) WHERE deleted_at IS NULL;
CREATE INDEX employee_location_idx ON employee (location_id) WHERE deleted_at IS NULL;
UPDATE employee SET
  employee_number = data->>'employeeNumber',
  given_name = data->>'givenName',
  family_name = data->>'familyName',
  preferred_name = data->>'preferredName',
  work_email = data->>'workEmail',
  work_phone = data->>'workPhone',
  country_code = data->>'countryCode',
  job_title = data->>'jobTitle',
  department_id = (data->>'departmentId')::uuid,
  manager_id = (data->>'managerId')::uuid,
  cost_center_id = (data->>'costCenterId')::uuid,
  location_id = (data->>'locationId')::uuid,
  employment_status = data->>'employmentStatus',
  employment_type = data->>'employmentType',
  hire_date = (data->>'hireDate')::date,
  termination_date = (data->>'terminationDate')::date,
  compensation_annualized_amount = (data#>>'{compensation,annualized,amount}')::numeric,
  compensation_annualized_currency = data#>>'{compensation,annualized,currency}',
  compensation_original_amount = (data#>>'{compensation,original,amount}')::numeric,
  compensation_original_currency = data#>>'{compensation,original,currency}',
  pay_frequency = data#>>'{compensation,payFrequency}',
  standard_hours_per_week = (data#>>'{compensation,standardHoursPerWeek}')::numeric,
  compensation_effective_date = (data#>>'{compensation,effectiveDate}')::date;

-- cost_center ------------------------------------------------------------------------------
ALTER TABLE cost_center RENAME COLUMN code TO cost_center_code;     -- cost_center_code_idx follows
ALTER TABLE cost_center RENAME COLUMN parent_id TO parent_cost_center_id;
ALTER TABLE cost_center RENAME COLUMN owner_employee_id TO owner_id;
ALTER TABLE cost_center DROP COLUMN currency;
ALTER TABLE cost_center
  ADD COLUMN description text,
  ADD COLUMN org_unit_id uuid;
CREATE INDEX cost_center_owner_idx ON cost_center (owner_id) WHERE deleted_at IS NULL;
UPDATE cost_center SET
  cost_center_code = data->>'costCenterCode',
  name = data->>'name',
  description = data->>'description',
  company_code = data->>'companyCode',
  parent_cost_center_id = (data->>'parentCostCenterId')::uuid,
  owner_id = (data->>'ownerId')::uuid,
  org_unit_id = (data->>'orgUnitId')::uuid,
  valid_from = (data->>'validFrom')::date,
  valid_to = (data->>'validTo')::date,
  active = (data->>'active')::boolean;

-- vendor -----------------------------------------------------------------------------------
ALTER TABLE vendor RENAME COLUMN name TO display_name;              -- vendor_name_idx follows
ALTER TABLE vendor RENAME COLUMN country TO country_code;           -- vendor_tax_id_idx follows
ALTER TABLE vendor DROP COLUMN payment_terms;
ALTER TABLE vendor
  ADD COLUMN phone              text,
  ADD COLUMN payment_terms_days integer CHECK (payment_terms_days BETWEEN 0 AND 3650);
CREATE INDEX vendor_legal_name_idx ON vendor (lower(legal_name)) WHERE deleted_at IS NULL;
UPDATE vendor SET
  vendor_number = data->>'vendorNumber',
  legal_name = data->>'legalName',
  display_name = data->>'displayName',
  tax_id = data->>'taxId',
  country_code = data->>'countryCode',
  default_currency = data->>'defaultCurrency',
  email = data->>'email',
  phone = data->>'phone',
  address = data->'address',
  payment_terms_days = (data->>'paymentTermsDays')::integer,
  status = data->>'status';

-- invoice ----------------------------------------------------------------------------------
ALTER TABLE invoice RENAME COLUMN issue_date TO invoice_date;
ALTER TABLE invoice RENAME COLUMN tax_amount TO tax_total_amount;
ALTER TABLE invoice RENAME COLUMN tax_currency TO tax_total_currency;
ALTER TABLE invoice DROP COLUMN cost_center_id;                      -- not an invoice field; lines carry it
ALTER TABLE invoice
  ADD COLUMN vendor_number       text,
  ADD COLUMN posting_date        date,
  ADD COLUMN paid_date           date,
  ADD COLUMN amount_due_amount   numeric(20, 4),
  ADD COLUMN amount_due_currency char(3) CHECK (amount_due_currency ~ '^[A-Z]{3}$');
-- The business key as finance teams know it (vendor number + invoice number).
CREATE INDEX invoice_business_key_idx ON invoice (vendor_number, invoice_number) WHERE deleted_at IS NULL;
UPDATE invoice SET
  vendor_number = data->>'vendorNumber',
  invoice_number = data->>'invoiceNumber',
  vendor_id = (data->>'vendorId')::uuid,
  status = data->>'status',
  currency = data->>'currency',
  invoice_date = (data->>'invoiceDate')::date,
  due_date = (data->>'dueDate')::date,
  posting_date = (data->>'postingDate')::date,
  paid_date = (data->>'paidDate')::date,
  subtotal_amount = (data#>>'{subtotal,amount}')::numeric,
  subtotal_currency = data#>>'{subtotal,currency}',
  tax_total_amount = (data#>>'{taxTotal,amount}')::numeric,
  tax_total_currency = data#>>'{taxTotal,currency}',
  total_amount = (data#>>'{total,amount}')::numeric,
  total_currency = data#>>'{total,currency}',
  amount_due_amount = (data#>>'{amountDue,amount}')::numeric,
  amount_due_currency = data#>>'{amountDue,currency}';

-- invoice_line -----------------------------------------------------------------------------
-- quantity and unitPrice are decimal strings that may be finer than any fixed scale: unconstrained
-- numeric, so PostgreSQL never rounds them silently.
ALTER TABLE invoice_line ALTER COLUMN quantity TYPE numeric;
ALTER TABLE invoice_line RENAME COLUMN unit_price_amount TO unit_price;
ALTER TABLE invoice_line ALTER COLUMN unit_price TYPE numeric;
ALTER TABLE invoice_line DROP COLUMN unit_price_currency;           -- unit price is in the invoice currency
ALTER TABLE invoice_line RENAME COLUMN amount TO net_amount;
ALTER TABLE invoice_line RENAME COLUMN amount_currency TO net_currency;
ALTER TABLE invoice_line DROP COLUMN gl_account;                     -- invoice_line_gl_account_idx goes with it
ALTER TABLE invoice_line
  ADD COLUMN tax_amount       numeric(20, 4),
  ADD COLUMN tax_currency     char(3) CHECK (tax_currency ~ '^[A-Z]{3}$'),
  ADD COLUMN tax_rate_percent numeric,
  ADD COLUMN gl_account_id    uuid;
-- Spend analysis by GL account.
CREATE INDEX invoice_line_gl_account_idx ON invoice_line (gl_account_id);
DELETE FROM invoice_line;
INSERT INTO invoice_line (
  invoice_id, line_index, line_number, description, quantity, unit_price, net_amount, net_currency,
  tax_amount, tax_currency, tax_rate_percent, gl_account_id, cost_center_id
)
SELECT i.id, l.ord - 1, (l.line->>'lineNumber')::integer, l.line->>'description',
  (l.line->>'quantity')::numeric, (l.line->>'unitPrice')::numeric,
  (l.line#>>'{netAmount,amount}')::numeric, l.line#>>'{netAmount,currency}',
  (l.line#>>'{taxAmount,amount}')::numeric, l.line#>>'{taxAmount,currency}',
  (l.line->>'taxRatePercent')::numeric, (l.line->>'glAccountId')::uuid, (l.line->>'costCenterId')::uuid
FROM invoice i
CROSS JOIN LATERAL jsonb_array_elements(CASE WHEN jsonb_typeof(i.data->'lines') = 'array' THEN i.data->'lines' ELSE '[]'::jsonb END)
  WITH ORDINALITY AS l(line, ord);
