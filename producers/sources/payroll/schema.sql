-- Sample payroll database captured by the CDC producer. Every table has a primary key and
-- REPLICA IDENTITY FULL: text columns can be TOASTed, and only the full old row carries an
-- unchanged TOASTed value through logical replication (see producers/cdc/README.md).
CREATE SCHEMA IF NOT EXISTS payroll;

CREATE TABLE IF NOT EXISTS payroll.employees (
  employee_number text PRIMARY KEY,            -- the payroll system's own number, e.g. E00123
  hr_worker_id text UNIQUE,                     -- the HR worker id paid as this employee, e.g. W000123
  first_name text NOT NULL,
  last_name text NOT NULL,
  email text,
  department text NOT NULL,
  hire_date date NOT NULL,
  status text NOT NULL DEFAULT 'active',
  notes text,                                   -- free text, may be large (TOASTed)
  version integer NOT NULL DEFAULT 1,           -- bumped by every update
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS payroll.pay_rates (
  employee_number text PRIMARY KEY REFERENCES payroll.employees ON DELETE CASCADE,
  currency char(3) NOT NULL,
  amount numeric(12, 2) NOT NULL,
  frequency text NOT NULL,                      -- annual | monthly | hourly
  effective_from date NOT NULL,
  version integer NOT NULL DEFAULT 1
);

CREATE TABLE IF NOT EXISTS payroll.pay_history (
  id bigint PRIMARY KEY,
  employee_number text NOT NULL REFERENCES payroll.employees ON DELETE CASCADE,
  pay_date date NOT NULL,
  gross numeric(12, 2) NOT NULL,
  net numeric(12, 2) NOT NULL,
  currency char(3) NOT NULL
);

CREATE TABLE IF NOT EXISTS payroll.bank_details (
  employee_number text PRIMARY KEY REFERENCES payroll.employees ON DELETE CASCADE,
  bank_name text NOT NULL,
  account_number text NOT NULL,                 -- masked by default by the CDC producer
  routing_number text NOT NULL,
  version integer NOT NULL DEFAULT 1
);

-- Databases created before the crosswalk existed lack the link column; their employee numbers
-- were the HR worker ids, so each such row links to itself.
ALTER TABLE payroll.employees ADD COLUMN IF NOT EXISTS hr_worker_id text UNIQUE;
UPDATE payroll.employees SET hr_worker_id = employee_number
 WHERE hr_worker_id IS NULL AND employee_number ~ '^W[0-9]{6}$';

ALTER TABLE payroll.employees REPLICA IDENTITY FULL;
ALTER TABLE payroll.pay_rates REPLICA IDENTITY FULL;
ALTER TABLE payroll.pay_history REPLICA IDENTITY FULL;
ALTER TABLE payroll.bank_details REPLICA IDENTITY FULL;
