-- canonical.invoice and its lines. Lines are replaced as a whole whenever a newer invoice version
-- lands (the canonical record carries the full line list), so they need no version of their own.
CREATE TABLE invoice (
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
  invoice_number       text,
  vendor_id            uuid,
  cost_center_id       uuid,
  status               text,
  issue_date           date,
  due_date             date,
  currency             char(3) CHECK (currency ~ '^[A-Z]{3}$'),
  subtotal_amount      numeric(20, 4),
  subtotal_currency    char(3) CHECK (subtotal_currency ~ '^[A-Z]{3}$'),
  tax_amount           numeric(20, 4),
  tax_currency         char(3) CHECK (tax_currency ~ '^[A-Z]{3}$'),
  total_amount         numeric(20, 4),
  total_currency       char(3) CHECK (total_currency ~ '^[A-Z]{3}$')
);
-- Lookups: a vendor's invoices, duplicate-invoice detection (vendor + number), open items by due
-- date (payment runs), spend per cost center.
CREATE INDEX invoice_vendor_number_idx ON invoice (vendor_id, invoice_number) WHERE deleted_at IS NULL;
CREATE INDEX invoice_open_due_idx ON invoice (due_date) WHERE deleted_at IS NULL AND status IN ('open', 'approved');
CREATE INDEX invoice_cost_center_idx ON invoice (cost_center_id) WHERE deleted_at IS NULL;
CREATE INDEX invoice_updated_at_idx ON invoice (updated_at);

CREATE TABLE invoice_line (
  invoice_id          uuid NOT NULL REFERENCES invoice (id) ON DELETE CASCADE,
  line_index          integer NOT NULL CHECK (line_index >= 0),
  line_number         integer,
  description         text,
  quantity            numeric(20, 6),
  unit_price_amount   numeric(20, 6),
  unit_price_currency char(3) CHECK (unit_price_currency ~ '^[A-Z]{3}$'),
  amount              numeric(20, 4),
  amount_currency     char(3) CHECK (amount_currency ~ '^[A-Z]{3}$'),
  gl_account          text,
  cost_center_id      uuid,
  PRIMARY KEY (invoice_id, line_index)
);
-- Spend analysis by GL account and cost center.
CREATE INDEX invoice_line_gl_account_idx ON invoice_line (gl_account);
CREATE INDEX invoice_line_cost_center_idx ON invoice_line (cost_center_id);
