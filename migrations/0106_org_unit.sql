-- canonical.org_unit (schemas/entities/orgUnit.ts). Same bookkeeping columns as 0101–0104;
-- typed columns follow the naming rule of 0105.
CREATE TABLE org_unit (
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
  org_unit_code        text,
  name                 text,
  kind                 text,
  parent_org_unit_id   uuid,
  manager_id           uuid,
  cost_center_id       uuid,
  active               boolean
);
-- Lookups: by HR code; tree walks by parent; units a person heads.
CREATE INDEX org_unit_code_idx ON org_unit (org_unit_code) WHERE deleted_at IS NULL;
CREATE INDEX org_unit_parent_idx ON org_unit (parent_org_unit_id) WHERE deleted_at IS NULL;
CREATE INDEX org_unit_manager_idx ON org_unit (manager_id) WHERE deleted_at IS NULL;
CREATE INDEX org_unit_updated_at_idx ON org_unit (updated_at);
