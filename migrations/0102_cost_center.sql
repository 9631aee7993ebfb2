-- canonical.cost_center.
CREATE TABLE cost_center (
  id                   uuid PRIMARY KEY,
  version              bigint NOT NULL CHECK (version >= 1),
  data                 jsonb NOT NULL,
  provenance           jsonb NOT NULL,
  mapping_versions     text[] NOT NULL DEFAULT '{}',
  canonical_updated_at timestamptz,
  source_topic         text NOT NULL,
  source_partition     integer NOT NULL,
  source_offset        bigint NOT NULL,
  created_at           timestamptz NOT NULL DEFAULT now(),
  updated_at           timestamptz NOT NULL DEFAULT now(),
  deleted_at           timestamptz,
  code                 text,
  name                 text,
  company_code         text,
  parent_id            uuid,
  owner_employee_id    uuid,
  currency             char(3) CHECK (currency ~ '^[A-Z]{3}$'),
  active               boolean,
  valid_from           date,
  valid_to             date
);
-- Lookups: by (company, code) as finance systems name them; hierarchy walks by parent.
CREATE INDEX cost_center_code_idx ON cost_center (company_code, code) WHERE deleted_at IS NULL;
CREATE INDEX cost_center_parent_idx ON cost_center (parent_id) WHERE deleted_at IS NULL;
CREATE INDEX cost_center_updated_at_idx ON cost_center (updated_at);
