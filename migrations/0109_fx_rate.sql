-- canonical.fx_rate (schemas/entities/fxRate.ts): 1 base_currency = rate quote_currency.
-- rate is unconstrained numeric: provider rates carry as many decimals as they carry.
CREATE TABLE fx_rate (
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
  base_currency        char(3) CHECK (base_currency ~ '^[A-Z]{3}$'),
  quote_currency       char(3) CHECK (quote_currency ~ '^[A-Z]{3}$'),
  rate_date            date,
  rate_type            text,
  provider             text,
  rate                 numeric CHECK (rate > 0)
);
-- The conversion lookup: a pair's rate of a type on (or latest before) a date.
CREATE INDEX fx_rate_lookup_idx ON fx_rate (base_currency, quote_currency, rate_type, rate_date DESC) WHERE deleted_at IS NULL;
CREATE INDEX fx_rate_updated_at_idx ON fx_rate (updated_at);
