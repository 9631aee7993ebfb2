import { Decimal } from 'decimal.js';
import { TributaryError } from '../../platform/errors.js';
import { type Money, normalizeCurrency, roundToMinorUnits } from './money.js';
import type { Normalized } from './normalized.js';

export interface FxRate {
  base: string;
  quote: string;
  /** Units of quote per one unit of base, as a decimal string. */
  rate: string;
  /** ISO date the rate applies to. */
  date: string;
  /** Who published it, e.g. "ecb". */
  source: string;
}

/**
 * Rates from the FX stream, looked up as of a date (the latest rate on or before it). A missing
 * rate is an explicit, retryable error — never a silent zero or a guess.
 */
export class FxRateTable {
  private readonly rates = new Map<string, FxRate[]>();

  add(rate: FxRate): void {
    const key = `${normalizeCurrency(rate.base)}/${normalizeCurrency(rate.quote)}`;
    const list = (this.rates.get(key) ?? []).filter((existing) => existing.date !== rate.date);
    list.push(rate);
    list.sort((a, b) => a.date.localeCompare(b.date));
    this.rates.set(key, list);
  }

  get size(): number {
    let count = 0;
    for (const list of this.rates.values()) count += list.length;
    return count;
  }

  lookup(base: string, quote: string, asOf: string): FxRate {
    const direct = this.rates.get(`${base}/${quote}`);
    const found = direct?.filter((rate) => rate.date <= asOf).at(-1);
    if (found) return found;
    const inverse = this.rates
      .get(`${quote}/${base}`)
      ?.filter((rate) => rate.date <= asOf)
      .at(-1);
    if (inverse) {
      return {
        base,
        quote,
        rate: new Decimal(1).div(inverse.rate).toSignificantDigits(12).toFixed(),
        date: inverse.date,
        source: `${inverse.source}(inverse)`,
      };
    }
    throw new TributaryError('FX_RATE_MISSING', `no ${base}→${quote} rate on or before ${asOf}`, {
      retryable: true,
      details: { base, quote, asOf },
    });
  }

  /** Converts money to `quote` as of a date; the provenance label names rate, source and date. */
  convert(money: Money, quote: string, asOf: string): Normalized<Money> {
    const target = normalizeCurrency(quote);
    if (money.currency === target) return { value: money, transformation: 'copy' };
    const rate = this.lookup(money.currency, target, asOf);
    const amount = roundToMinorUnits(new Decimal(money.amount).times(rate.rate), target);
    return {
      value: { amount, currency: target },
      transformation: `fx(${money.currency}→${target}, ${rate.rate}, ${rate.source}, ${rate.date})`,
    };
  }
}
