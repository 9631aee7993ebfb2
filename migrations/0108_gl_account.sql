-- canonical.gl_account (schemas/entities/glAccount.ts).
CREATE TABLE gl_account (
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
  account_number       text,
  name                 text,
  account_type         text,
  normal_balance       text,
  currency             char(3) CHECK (currency ~ '^[A-Z]{3}$'),
  parent_account_id    uuid,
  active               boolean
);
-- Lookups: by account number (as booked in the ERP); chart-of-accounts tree walks.
CREATE INDEX gl_account_number_idx ON gl_account (account_number) WHERE deleted_at IS NULL;
CREATE INDEX gl_account_parent_idx ON gl_account (parent_account_id) WHERE deleted_at IS NULL;
CREATE INDEX gl_account_updated_at_idx ON gl_account (updated_at);
