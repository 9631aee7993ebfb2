import { Decimal } from 'decimal.js';
import { TributaryError } from '../../platform/errors.js';
import { type Money, roundToMinorUnits } from './money.js';
import type { Normalized } from './normalized.js';

export const payFrequencies = [
  'annual',
  'semiannual',
  'quarterly',
  'monthly',
  'semimonthly',
  'biweekly',
  'weekly',
  'daily',
  'hourly',
] as const;
export type PayFrequency = (typeof payFrequencies)[number];

/**
 * Periods per year. Daily assumes 260 working days and hourly 2080 hours (40 h × 52 weeks), the
 * usual US payroll conventions; pass `hoursPerYear` for part-time or other regimes.
 */
const periodsPerYear: Record<Exclude<PayFrequency, 'hourly'>, number> = {
  annual: 1,
  semiannual: 2,
  quarterly: 4,
  monthly: 12,
  semimonthly: 24,
  biweekly: 26,
  weekly: 52,
  daily: 260,
};

const aliases: Record<string, PayFrequency> = {
  annual: 'annual',
  annually: 'annual',
  yearly: 'annual',
  year: 'annual',
  salary: 'annual',
  semiannual: 'semiannual',
  quarterly: 'quarterly',
  monthly: 'monthly',
  month: 'monthly',
  semimonthly: 'semimonthly',
  'semi-monthly': 'semimonthly',
  biweekly: 'biweekly',
  'bi-weekly': 'biweekly',
  fortnightly: 'biweekly',
  weekly: 'weekly',
  daily: 'daily',
  hourly: 'hourly',
  hour: 'hourly',
};

export function parsePayFrequency(input: string): PayFrequency {
  const found =
    aliases[
      input
        .trim()
        .toLowerCase()
        .replace(/[_\s]+/g, '')
    ];
  if (!found)
    throw new TributaryError(
      'NORMALIZATION_FAILED',
      `unknown pay frequency: ${JSON.stringify(input.slice(0, 30))}`,
    );
  return found;
}

export function annualize(
  money: Money,
  frequency: PayFrequency,
  options: { hoursPerYear?: number } = {},
): Normalized<Money> {
  const factor = frequency === 'hourly' ? (options.hoursPerYear ?? 2080) : periodsPerYear[frequency];
  return {
    value: {
      amount: roundToMinorUnits(new Decimal(money.amount).times(factor), money.currency),
      currency: money.currency,
    },
    transformation:
      frequency === 'annual'
        ? 'copy'
        : `annualize(${frequency}${frequency === 'hourly' ? `×${factor}h` : ''})`,
  };
}

/** Hours ↔ days for leave balances and FTE, with the working-day length stated. */
export function hoursToDays(hours: string, hoursPerDay = 8): Normalized<string> {
  return {
    value: new Decimal(hours).div(hoursPerDay).toDecimalPlaces(4).toFixed(),
    transformation: `hoursToDays(${hoursPerDay}h)`,
  };
}
