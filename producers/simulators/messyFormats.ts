import type { Prng } from './prng.js';

/**
 * The inconsistent value formats real enterprise APIs return, drawn from a seeded generator.
 * Amounts are built from integer minor units with string arithmetic, never floats.
 */

export interface CountryProfile {
  readonly alpha2: string;
  readonly alpha3: string;
  readonly name: string;
  readonly currency: string;
  /** Minor-unit digits of the currency (JPY has none). */
  readonly decimals: number;
  /** How amounts from this country's payroll/ledger are usually written. */
  readonly amountStyle: AmountStyle;
  readonly dialCode: string;
  readonly cities: readonly string[];
}

export const countries: readonly CountryProfile[] = [
  {
    alpha2: 'US',
    alpha3: 'USA',
    name: 'United States',
    currency: 'USD',
    decimals: 2,
    amountStyle: 'en',
    dialCode: '1',
    cities: ['New York', 'Austin', 'Chicago'],
  },
  {
    alpha2: 'DE',
    alpha3: 'DEU',
    name: 'Germany',
    currency: 'EUR',
    decimals: 2,
    amountStyle: 'de',
    dialCode: '49',
    cities: ['Berlin', 'Munich', 'Hamburg'],
  },
  {
    alpha2: 'GB',
    alpha3: 'GBR',
    name: 'United Kingdom',
    currency: 'GBP',
    decimals: 2,
    amountStyle: 'en',
    dialCode: '44',
    cities: ['London', 'Leeds'],
  },
  {
    alpha2: 'FR',
    alpha3: 'FRA',
    name: 'France',
    currency: 'EUR',
    decimals: 2,
    amountStyle: 'de',
    dialCode: '33',
    cities: ['Paris', 'Lyon'],
  },
  {
    alpha2: 'NL',
    alpha3: 'NLD',
    name: 'Netherlands',
    currency: 'EUR',
    decimals: 2,
    amountStyle: 'de',
    dialCode: '31',
    cities: ['Amsterdam', 'Utrecht'],
  },
  {
    alpha2: 'CH',
    alpha3: 'CHE',
    name: 'Switzerland',
    currency: 'CHF',
    decimals: 2,
    amountStyle: 'plain',
    dialCode: '41',
    cities: ['Zürich', 'Genève'],
  },
  {
    alpha2: 'JP',
    alpha3: 'JPN',
    name: 'Japan',
    currency: 'JPY',
    decimals: 0,
    amountStyle: 'en',
    dialCode: '81',
    cities: ['Tokyo', 'Osaka'],
  },
  {
    alpha2: 'IN',
    alpha3: 'IND',
    name: 'India',
    currency: 'INR',
    decimals: 2,
    amountStyle: 'plain',
    dialCode: '91',
    cities: ['Bengaluru', 'Pune'],
  },
  {
    alpha2: 'BR',
    alpha3: 'BRA',
    name: 'Brazil',
    currency: 'BRL',
    decimals: 2,
    amountStyle: 'de',
    dialCode: '55',
    cities: ['São Paulo', 'Recife'],
  },
  {
    alpha2: 'CA',
    alpha3: 'CAN',
    name: 'Canada',
    currency: 'CAD',
    decimals: 2,
    amountStyle: 'en',
    dialCode: '1',
    cities: ['Toronto', 'Montréal'],
  },
];

export const firstNames = [
  'Anna',
  'Ben',
  'Chloé',
  'David',
  'Elif',
  'Fatima',
  'Gustav',
  'Hiro',
  'Ines',
  'José',
  'Kai',
  'Lena',
  'Mateo',
  'Nora',
  'Olu',
  'Priya',
  'Quinn',
  'Rafael',
  'Sofia',
  'Tomás',
  'Uma',
  'Viktor',
  'Wei',
  'Zoë',
] as const;

export const lastNames = [
  'Müller',
  'Smith',
  'García',
  'Nguyen',
  'Kowalski',
  'Okafor',
  'Schmidt',
  'Tanaka',
  'Rossi',
  "O'Brien",
  'Dubois',
  'Johansson',
  'Patel',
  'Silva',
  'van der Berg',
  'Yilmaz',
  'Chen',
  'Novak',
  'Haddad',
  'Lopez',
] as const;

/** Digits of a number, left-padded with zeros. */
export function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}

export function caseVariant(prng: Prng, code: string): string {
  const roll = prng.next();
  if (roll < 0.7) return code.toUpperCase();
  if (roll < 0.85) return code.toLowerCase();
  return code.charAt(0).toUpperCase() + code.slice(1).toLowerCase();
}

export function countryVariant(prng: Prng, country: CountryProfile): string {
  const roll = prng.next();
  if (roll < 0.4) return country.alpha2;
  if (roll < 0.6) return country.alpha3;
  if (roll < 0.8) return country.name;
  if (roll < 0.9) return country.name.toLowerCase();
  return country.alpha2.toLowerCase();
}

export function phoneVariant(prng: Prng, country: CountryProfile): string {
  const area = prng.int(20, 989);
  const local = pad(prng.int(0, 9_999_999), 7);
  if (country.dialCode === '1') {
    const line = `${local.slice(0, 3)}-${local.slice(3)}`;
    return prng.pick([
      `(${area}) ${line}`,
      `${area}.${local.slice(0, 3)}.${local.slice(3)}`,
      `+1 ${area} ${local.slice(0, 3)} ${local.slice(3)}`,
      `1${area}${local}`,
    ]);
  }
  return prng.pick([
    `+${country.dialCode} ${area} ${local}`,
    `+${country.dialCode}-${area}-${local}`,
    `00${country.dialCode}${area}${local}`,
    `0${area}/${local}`,
    `(0${area}) ${local}`,
  ]);
}

export type DateStyle = 'iso' | 'us' | 'isoOffset' | 'dotted' | 'compact' | 'odataLegacy';

/**
 * A calendar date (given as UTC midnight epoch ms) in one of the styles seen in the wild:
 * `iso` 2021-03-04, `us` 03/04/2021 (always month first), `isoOffset` 2021-03-04T00:00:00+01:00,
 * `dotted` 04.03.2021, `compact` 20210304 (SAP DATS), `odataLegacy` /Date(1614816000000)/.
 */
export function formatDate(dayMs: number, style: DateStyle): string {
  const date = new Date(dayMs);
  const y = pad(date.getUTCFullYear(), 4);
  const m = pad(date.getUTCMonth() + 1, 2);
  const d = pad(date.getUTCDate(), 2);
  switch (style) {
    case 'iso':
      return `${y}-${m}-${d}`;
    case 'us':
      return `${m}/${d}/${y}`;
    case 'isoOffset':
      return `${y}-${m}-${d}T00:00:00+01:00`;
    case 'dotted':
      return `${d}.${m}.${y}`;
    case 'compact':
      return `${y}${m}${d}`;
    case 'odataLegacy':
      return `/Date(${dayMs})/`;
  }
}

/** A uniformly drawn calendar date (UTC midnight) between two dates. */
export function randomDay(prng: Prng, fromMs: number, toMs: number): number {
  const day = 86_400_000;
  return prng.int(Math.floor(fromMs / day), Math.floor(toMs / day)) * day;
}

export type AmountStyle = 'plain' | 'en' | 'de';

/**
 * Formats integer minor units: `plain` 85000.50, `en` 85,000.50, `de` 85.000,50. A currency
 * without minor units has no decimal part.
 */
export function formatAmount(minor: bigint, decimals: number, style: AmountStyle): string {
  const negative = minor < 0n;
  const digits = (negative ? -minor : minor).toString().padStart(decimals + 1, '0');
  const whole = digits.slice(0, digits.length - decimals);
  const fraction = digits.slice(digits.length - decimals);
  const group = style === 'en' ? ',' : style === 'de' ? '.' : '';
  const grouped = group === '' ? whole : whole.replace(/\B(?=(\d{3})+(?!\d))/g, group);
  const decimalMark = style === 'de' ? ',' : '.';
  return `${negative ? '-' : ''}${grouped}${decimals > 0 ? decimalMark + fraction : ''}`;
}
