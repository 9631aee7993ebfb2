-- canonical.vendor.
CREATE TABLE vendor (
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
  vendor_number        text,
  name                 text,
  legal_name           text,
  tax_id               text,
  country              char(2) CHECK (country ~ '^[A-Z]{2}$'),
  default_currency     char(3) CHECK (default_currency ~ '^[A-Z]{3}$'),
  payment_terms        text,
  status               text,
  email                text,
  address              jsonb
);
-- Lookups: duplicate-vendor checks by tax id, search by name, by ERP number.
CREATE INDEX vendor_tax_id_idx ON vendor (country, tax_id) WHERE deleted_at IS NULL;
CREATE INDEX vendor_name_idx ON vendor (lower(name)) WHERE deleted_at IS NULL;
CREATE INDEX vendor_number_idx ON vendor (vendor_number) WHERE deleted_at IS NULL;
CREATE INDEX vendor_updated_at_idx ON vendor (updated_at);
