import currencyCodes from 'currency-codes';
import { Decimal } from 'decimal.js';
import { TributaryError } from '../../platform/errors.js';
import { type ParseDecimalOptions, parseDecimal } from './decimal.js';

/** Money is a decimal string at the currency's minor-unit precision, never a float. */
export interface Money {
  amount: string;
  currency: string;
}

/** Upper-cases and validates an ISO 4217 code ("eur", " Usd " → "EUR", "USD"). */
export function normalizeCurrency(code: string): string {
  const upper = code.trim().toUpperCase();
  if (!/^[A-Z]{3}$/.test(upper) || currencyCodes.code(upper) === undefined) {
    throw new TributaryError(
      'NORMALIZATION_FAILED',
      `unknown ISO 4217 currency code: ${JSON.stringify(code.slice(0, 10))}`,
    );
  }
  return upper;
}

/** Minor-unit digits of a currency (JPY 0, EUR 2, BHD 3). */
export function minorUnits(currency: string): number {
  const digits = currencyCodes.code(currency)?.digits;
  return typeof digits === 'number' ? digits : 2;
}

/** Rounds half-to-even (banker's rounding, the usual accounting rule) to the currency's minor units. */
export function roundToMinorUnits(amount: Decimal.Value, currency: string): string {
  return new Decimal(amount)
    .toDecimalPlaces(minorUnits(currency), Decimal.ROUND_HALF_EVEN)
    .toFixed(minorUnits(currency));
}

export function parseMoney(
  amount: string | number,
  currency: string,
  options: ParseDecimalOptions = {},
): Money {
  const code = normalizeCurrency(currency);
  return { amount: roundToMinorUnits(parseDecimal(amount, options), code), currency: code };
}
