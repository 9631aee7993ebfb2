-- canonical.employee. Typed columns for what downstream teams query; data/provenance keep the
-- full canonical record so nothing is lost when the contract gains a field before this table does.
CREATE TABLE employee (
  id                     uuid PRIMARY KEY,
  version                bigint NOT NULL CHECK (version >= 1),
  data                   jsonb NOT NULL,
  provenance             jsonb NOT NULL,
  mapping_versions       text[] NOT NULL DEFAULT '{}',
  canonical_updated_at   timestamptz,
  source_topic           text NOT NULL,
  source_partition       integer NOT NULL,
  source_offset          bigint NOT NULL,
  created_at             timestamptz NOT NULL DEFAULT now(),
  updated_at             timestamptz NOT NULL DEFAULT now(),
  deleted_at             timestamptz,
  employee_number        text,
  given_name             text,
  family_name            text,
  display_name           text,
  email                  text,
  job_title              text,
  department             text,
  employment_status      text,
  employment_type        text,
  cost_center_id         uuid,
  manager_id             uuid,
  hire_date              date,
  termination_date       date,
  annual_salary_amount   numeric(20, 4),
  annual_salary_currency char(3) CHECK (annual_salary_currency ~ '^[A-Z]{3}$'),
  work_location          jsonb,
  CHECK ((annual_salary_amount IS NULL) = (annual_salary_currency IS NULL))
);
-- Lookups: by email (SSO/joins with other systems), by HR number, org chart (manager), cost
-- allocation (cost center). Partial on live rows: soft-deleted rows are kept for audit only.
CREATE INDEX employee_email_idx ON employee (lower(email)) WHERE deleted_at IS NULL;
CREATE INDEX employee_number_idx ON employee (employee_number) WHERE deleted_at IS NULL;
CREATE INDEX employee_manager_idx ON employee (manager_id) WHERE deleted_at IS NULL;
CREATE INDEX employee_cost_center_idx ON employee (cost_center_id) WHERE deleted_at IS NULL;
-- Incremental extraction by downstream jobs ("what changed since T").
CREATE INDEX employee_updated_at_idx ON employee (updated_at);
