-- canonical.location (schemas/entities/location.ts). The address is kept whole as jsonb; its
-- city and country are typed too because they are what people filter locations by.
CREATE TABLE location (
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
  location_code        text,
  name                 text,
  address              jsonb,
  address_city         text,
  address_country_code char(2) CHECK (address_country_code ~ '^[A-Z]{2}$'),
  time_zone            text,
  remote               boolean,
  active               boolean
);
CREATE INDEX location_code_idx ON location (location_code) WHERE deleted_at IS NULL;
CREATE INDEX location_country_city_idx ON location (address_country_code, address_city) WHERE deleted_at IS NULL;
CREATE INDEX location_updated_at_idx ON location (updated_at);
