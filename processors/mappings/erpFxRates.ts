import type { MappedFragment, Mapping } from '../mapping.js';
import { parseLocalDate } from '../normalize/dates.js';
import { parseDecimal } from '../normalize/decimal.js';
import { normalizeCurrency } from '../normalize/money.js';
import { asRecord, copy, derived, requiredString } from './fields.js';

const rateTypes: Record<string, string> = { M: 'average', B: 'spot', G: 'closing', P: 'budget' };

/** Parses an ERP exchange rate record (SAP TCURR style) into the fields of an FxRate. */
export function erpFxRateFields(payload: unknown): {
  base: string;
  quote: string;
  date: string;
  type: string;
  rate: string;
} {
  const record = asRecord(payload, 'erp exchange rate');
  return {
    base: normalizeCurrency(requiredString(record, 'FromCurrency', 'erp exchange rate')),
    quote: normalizeCurrency(requiredString(record, 'ToCurrency', 'erp exchange rate')),
    date: parseLocalDate(requiredString(record, 'ValidFromDate', 'erp exchange rate')),
    type: rateTypes[requiredString(record, 'ExchangeRateType', 'erp exchange rate')] ?? 'spot',
    rate: parseDecimal(requiredString(record, 'ExchangeRate', 'erp exchange rate')),
  };
}

export const erpFxRatesTopic = 'raw.erp.fx_rates';

/** ERP exchange rates → FxRate (provider "erp"). The same stream feeds the map stage's FX table. */
export const erpFxRatesMapping: Mapping = {
  id: 'erp-fx-rates',
  version: 1,
  topics: [erpFxRatesTopic],
  knownFields: [
    'RateID',
    'ExchangeRateType',
    'FromCurrency',
    'ToCurrency',
    'ValidFromDate',
    'ExchangeRate',
    'LastChangeDateTime',
  ],
  map(envelope): MappedFragment[] {
    if (envelope.operation === 'delete')
      throw new TypeError('exchange rates are never deleted at the source');
    const fx = erpFxRateFields(envelope.payload);
    return [
      {
        entity: 'fx_rate',
        businessKey: `${fx.base}/${fx.quote}/${fx.date}/${fx.type}/erp`,
        fields: {
          baseCurrency: copy(fx.base),
          quoteCurrency: copy(fx.quote),
          rateDate: derived(fx.date, 'date'),
          rateType: derived(fx.type, 'rateType(M→average)'),
          provider: copy('erp'),
          rate: derived(fx.rate, 'decimal'),
        },
      },
    ];
  },
};
