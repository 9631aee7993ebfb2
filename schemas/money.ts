import { z } from 'zod/v4';

/**
 * Decimal amounts travel as strings so no stage ever rounds through a binary float.
 * Optional minus sign, no leading zeros, optional fraction; no exponent, no thousands separators.
 */
export const decimalStringPattern = /^-?(0|[1-9]\d*)(\.\d+)?$/;

export const decimalStringSchema = z
  .string()
  .regex(decimalStringPattern, 'expected a decimal string such as "1234.50"')
  .describe('Decimal number written as a string (never a binary float), e.g. "1234.50".');

export const currencyCodeSchema = z
  .string()
  .regex(/^[A-Z]{3}$/, 'expected an ISO 4217 alphabetic currency code')
  .describe('ISO 4217 alphabetic currency code, upper case, e.g. "USD".');

/**
 * ISO 4217 currencies whose minor unit is not 2 digits. The list is short and stable; everything
 * else (including codes we do not know) is held to 2 decimals, which is what ISO assigns to
 * almost every currency.
 */
const minorUnitExceptions: Readonly<Record<string, number>> = {
  BIF: 0,
  CLP: 0,
  DJF: 0,
  GNF: 0,
  ISK: 0,
  JPY: 0,
  KMF: 0,
  KRW: 0,
  PYG: 0,
  RWF: 0,
  UGX: 0,
  UYI: 0,
  VND: 0,
  VUV: 0,
  XAF: 0,
  XOF: 0,
  XPF: 0,
  BHD: 3,
  IQD: 3,
  JOD: 3,
  KWD: 3,
  LYD: 3,
  OMR: 3,
  TND: 3,
  CLF: 4,
  UYW: 4,
};

/** Number of decimals the currency's minor unit allows (ISO 4217), 2 unless listed otherwise. */
export function currencyMinorUnits(currency: string): number {
  return minorUnitExceptions[currency] ?? 2;
}

function fractionDigits(amount: string): number {
  const dot = amount.indexOf('.');
  return dot === -1 ? 0 : amount.length - dot - 1;
}

/**
 * An amount of money. The amount may carry at most the currency's minor-unit precision
 * (2 decimals for USD, 0 for JPY, 3 for KWD), so two stages can never disagree on rounding.
 */
export const moneySchema = z
  .strictObject({
    amount: decimalStringSchema.describe(
      'Amount as a decimal string with at most the currency minor-unit precision, e.g. "1234.50" (never a float).',
    ),
    currency: currencyCodeSchema.describe('ISO 4217 currency of the amount, e.g. "EUR".'),
  })
  .superRefine((money, ctx) => {
    const allowed = currencyMinorUnits(money.currency);
    if (decimalStringPattern.test(money.amount) && fractionDigits(money.amount) > allowed) {
      ctx.addIssue({
        code: 'custom',
        path: ['amount'],
        message: `expected at most ${allowed} decimal places for ${money.currency}`,
      });
    }
  })
  .describe('Money: a decimal-string amount and its ISO 4217 currency.');

export type Money = z.output<typeof moneySchema>;
