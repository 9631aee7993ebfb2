import { z } from 'zod/v4';
import { isoDateSchema } from '../fieldTypes.js';
import { currencyCodeSchema, decimalStringSchema } from '../money.js';

export const fxRateTypes = ['spot', 'average', 'closing', 'budget'] as const;

/** An exchange rate observation: 1 unit of base currency = rate units of quote currency. */
export const fxRateSchema = z
  .strictObject({
    baseCurrency: currencyCodeSchema.describe('Currency being priced (ISO 4217); part of the business key.'),
    quoteCurrency: currencyCodeSchema.describe(
      'Currency the price is expressed in (ISO 4217); part of the business key.',
    ),
    rateDate: isoDateSchema.describe('Date the rate applies to (ISO 8601); part of the business key.'),
    rateType: z.enum(fxRateTypes).describe('Kind of rate; part of the business key.'),
    provider: z
      .string()
      .regex(/^[a-z0-9-]+$/, 'expected a lower-case provider id')
      .describe('Who published the rate, lower-case id, e.g. "ecb"; part of the business key.'),
    rate: decimalStringSchema
      .regex(/^(0\.\d*[1-9]\d*|[1-9]\d*(\.\d+)?)$/, 'expected a positive decimal string')
      .describe(
        'Units of quoteCurrency per 1 unit of baseCurrency, a positive decimal string, e.g. "1.0832".',
      ),
  })
  .describe('Foreign-exchange rate: 1 baseCurrency = rate quoteCurrency on rateDate, from provider.');

export type FxRate = z.output<typeof fxRateSchema>;
