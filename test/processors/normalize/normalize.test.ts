import { describe, expect, it } from 'vitest';
import { normalizeEmail, normalizePhone } from '../../../processors/normalize/contact.js';
import { normalizeCountry } from '../../../processors/normalize/country.js';
import { parseLocalDate, toUtcInstant } from '../../../processors/normalize/dates.js';
import { parseDecimal } from '../../../processors/normalize/decimal.js';
import { FxRateTable } from '../../../processors/normalize/fx.js';
import { normalizeCurrency, parseMoney } from '../../../processors/normalize/money.js';
import { annualize, hoursToDays, parsePayFrequency } from '../../../processors/normalize/payFrequency.js';
import { seededRandom } from '../../helpers/childProcess.js';

describe('parseDecimal', () => {
  it.each([
    ['85.000,50', '85000.5'],
    ['85,000.50', '85000.5'],
    ['85 000,50', '85000.5'],
    ['1.234.567', '1234567'],
    ['1,234,567.891', '1234567.891'],
    ['-12,5', '-12.5'],
    ['(100.25)', '-100.25'],
    ['0.1', '0.1'],
    ['.5', '0.5'],
    ["1'234.50", '1234.5'],
  ])('%s → %s', (input, expected) => {
    expect(parseDecimal(input)).toBe(expected);
  });

  it('never goes through a float', () => {
    expect(parseDecimal('0.1000000000000000055511151231257827')).toBe('0.1000000000000000055511151231257827');
    expect(parseDecimal('12345678901234567890.12')).toBe('12345678901234567890.12');
  });

  it('uses the declared separator for an ambiguous lone separator', () => {
    expect(parseDecimal('1.234')).toBe('1.234');
    expect(parseDecimal('1.234', { decimalSeparator: ',' })).toBe('1234');
  });

  it.each(['', 'abc', '1.2.3,4,5x', '--1', '.'])('rejects %j with a clear error', (input) => {
    expect(() => parseDecimal(input)).toThrow(/not a decimal amount/);
  });
});

describe('money', () => {
  it('normalises currency case and rounds half-even to minor units', () => {
    expect(parseMoney('85.000,505', 'eur')).toEqual({ amount: '85000.50', currency: 'EUR' });
    expect(parseMoney('85.000,515', 'eur')).toEqual({ amount: '85000.52', currency: 'EUR' });
    expect(parseMoney('1234.5', 'jpy')).toEqual({ amount: '1234', currency: 'JPY' });
    expect(parseMoney('1.2345', 'BHD')).toEqual({ amount: '1.234', currency: 'BHD' });
  });

  it('rejects unknown currencies by code', () => {
    expect(() => normalizeCurrency('EURO')).toThrow(/unknown ISO 4217/);
    expect(() => normalizeCurrency('XXQ')).toThrow(/unknown ISO 4217/);
  });

  it('is idempotent over random amounts (property)', () => {
    const random = seededRandom(7);
    for (let i = 0; i < 500; i++) {
      const amount = (random() * 1e9).toFixed(Math.floor(random() * 5));
      const once = parseMoney(amount, 'usd');
      expect(parseMoney(once.amount, once.currency)).toEqual(once);
    }
  });
});

describe('FX', () => {
  const table = new FxRateTable();
  table.add({ base: 'EUR', quote: 'USD', rate: '1.0832', date: '2026-11-27', source: 'ecb' });
  table.add({ base: 'EUR', quote: 'USD', rate: '1.0700', date: '2026-11-20', source: 'ecb' });

  it('converts with the latest rate on or before the date and records it', () => {
    const converted = table.convert({ amount: '1000.00', currency: 'EUR' }, 'USD', '2026-11-28');
    expect(converted).toEqual({
      value: { amount: '1083.20', currency: 'USD' },
      transformation: 'fx(EUR→USD, 1.0832, ecb, 2026-11-27)',
    });
    expect(table.convert({ amount: '1000.00', currency: 'EUR' }, 'USD', '2026-11-21').value.amount).toBe(
      '1070.00',
    );
  });

  it('uses the inverse rate when only the opposite pair is known', () => {
    const converted = table.convert({ amount: '1083.20', currency: 'USD' }, 'EUR', '2026-11-28');
    expect(converted.value).toEqual({ amount: '1000.00', currency: 'EUR' });
    expect(converted.transformation).toContain('ecb(inverse)');
  });

  it('makes a missing rate an explicit, retryable error, never zero', () => {
    expect(() => table.convert({ amount: '5.00', currency: 'GBP' }, 'USD', '2026-11-28')).toThrow(
      expect.objectContaining({ code: 'FX_RATE_MISSING', retryable: true }),
    );
    expect(() => table.convert({ amount: '5.00', currency: 'EUR' }, 'USD', '2026-01-01')).toThrow(
      /no EUR→USD rate on or before 2026-01-01/,
    );
  });
});

describe('pay frequency', () => {
  it('annualises with named conventions', () => {
    const money = { amount: '5000.00', currency: 'EUR' };
    expect(annualize(money, 'monthly')).toEqual({
      value: { amount: '60000.00', currency: 'EUR' },
      transformation: 'annualize(monthly)',
    });
    expect(annualize(money, 'biweekly').value.amount).toBe('130000.00');
    expect(annualize({ amount: '25.50', currency: 'USD' }, 'hourly').value.amount).toBe('53040.00');
    expect(annualize(money, 'annual').transformation).toBe('copy');
  });

  it('reads source spellings and rejects unknown ones', () => {
    expect(parsePayFrequency('Bi-Weekly')).toBe('biweekly');
    expect(parsePayFrequency('YEARLY')).toBe('annual');
    expect(() => parsePayFrequency('lunar')).toThrow(/unknown pay frequency/);
  });

  it('converts hours to days', () => {
    expect(hoursToDays('20', 8)).toEqual({ value: '2.5', transformation: 'hoursToDays(8h)' });
  });
});

describe('dates', () => {
  it.each([
    ['2021-03-04', '2021-03-04'],
    ['2021-03-04T23:30:00-08:00', '2021-03-04'],
    ['20210304', '2021-03-04'],
    ['4 Mar 2021', '2021-03-04'],
    ['March 4, 2021', '2021-03-04'],
    ['04.03.2021', '2021-03-04'],
    ['/Date(1614816000000)/', '2021-03-04'],
  ])('local date %s → %s', (input, expected) => {
    expect(parseLocalDate(input)).toBe(expected);
  });

  it('needs the source order for slash dates', () => {
    expect(parseLocalDate('03/04/2021', { order: 'MDY' })).toBe('2021-03-04');
    expect(parseLocalDate('03/04/2021', { order: 'DMY' })).toBe('2021-04-03');
    expect(() => parseLocalDate('02/30/2021', { order: 'MDY' })).toThrow(/not a calendar date/);
  });

  it('converts instants to UTC, reading naive ones in the source zone (DST aware)', () => {
    expect(toUtcInstant('2026-07-01T12:00:00+02:00')).toBe('2026-07-01T10:00:00.000Z');
    expect(toUtcInstant('2026-07-01 12:00:00', 'Europe/Berlin')).toBe('2026-07-01T10:00:00.000Z');
    expect(toUtcInstant('2026-01-15T12:00:00', 'Europe/Berlin')).toBe('2026-01-15T11:00:00.000Z');
    expect(toUtcInstant('2026-03-08T12:00:00', 'America/New_York')).toBe('2026-03-08T16:00:00.000Z');
    expect(toUtcInstant('/Date(1614816000000+0000)/')).toBe('2021-03-04T00:00:00.000Z');
    expect(() => toUtcInstant('yesterday')).toThrow(/unrecognised timestamp/);
  });
});

describe('country, phone, e-mail', () => {
  it.each([
    ['de', 'DE'],
    ['DEU', 'DE'],
    ['276', 'DE'],
    ['Germany', 'DE'],
    ['Deutschland', 'DE'],
    ['United Kingdom', 'GB'],
    ['UK', 'GB'],
    ['USA', 'US'],
    ['Allemagne', 'DE'],
  ])('country %s → %s', (input, expected) => {
    expect(normalizeCountry(input)).toBe(expected);
  });

  it('rejects an unknown country', () => {
    expect(() => normalizeCountry('Atlantis')).toThrow(/unknown country/);
  });

  it('formats phones as E.164 and never echoes a bad number', () => {
    expect(normalizePhone('(415) 555-2671', 'US')).toBe('+14155552671');
    expect(normalizePhone('030 12345678', 'DE')).toBe('+493012345678');
    expect(normalizePhone('+44 20 7946 0958')).toBe('+442079460958');
    // "00" read as the international prefix even where the country dials 010 (Japan).
    expect(normalizePhone('0081 3 1234 5678', 'JP')).toBe('+81312345678');
    expect(normalizePhone('0049 30 12345678', 'DE')).toBe('+493012345678');
    expect(() => normalizePhone('12345', 'US')).toThrow(/not a valid phone number \(#####\)/);
  });

  it('lower-cases e-mails', () => {
    expect(normalizeEmail('  Jane.Doe@Example.COM ')).toBe('jane.doe@example.com');
    expect(() => normalizeEmail('jane@')).toThrow(/not a valid e-mail/);
  });
});
