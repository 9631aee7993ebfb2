-- invoice contract v2 (schemas/entities/invoice.ts) added totalReporting: the gross total
-- converted to the reporting currency. Typed like every Money field (0105's naming rule);
-- existing rows are backfilled from data.
ALTER TABLE invoice
  ADD COLUMN total_reporting_amount   numeric(20, 4),
  ADD COLUMN total_reporting_currency char(3) CHECK (total_reporting_currency ~ '^[A-Z]{3}$');
UPDATE invoice SET
  total_reporting_amount = (data#>>'{totalReporting,amount}')::numeric,
  total_reporting_currency = data#>>'{totalReporting,currency}'
WHERE data ? 'totalReporting';
