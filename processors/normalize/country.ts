import countries from 'i18n-iso-countries';
import de from 'i18n-iso-countries/langs/de.json' with { type: 'json' };
import en from 'i18n-iso-countries/langs/en.json' with { type: 'json' };
import fr from 'i18n-iso-countries/langs/fr.json' with { type: 'json' };
import { TributaryError } from '../../platform/errors.js';

countries.registerLocale(en);
countries.registerLocale(de);
countries.registerLocale(fr);

/** Names sources use that are not the ISO short names. */
const aliases: Record<string, string> = {
  uk: 'GB',
  'great britain': 'GB',
  england: 'GB',
  usa: 'US',
  'u.s.': 'US',
  'u.s.a.': 'US',
  america: 'US',
};

/** Country to ISO 3166-1 alpha-2 from alpha-2, alpha-3, numeric or an English/German/French name. */
export function normalizeCountry(input: string): string {
  const text = input.trim();
  const upper = text.toUpperCase();
  if (/^[A-Z]{2}$/.test(upper) && countries.isValid(upper)) return upper;
  if (/^[A-Z]{3}$/.test(upper)) {
    const alpha2 = countries.alpha3ToAlpha2(upper);
    if (alpha2) return alpha2;
  }
  if (/^\d{3}$/.test(text)) {
    const alpha2 = countries.numericToAlpha2(text);
    if (alpha2) return alpha2;
  }
  const alias = aliases[text.toLowerCase()];
  if (alias) return alias;
  for (const language of ['en', 'de', 'fr']) {
    const alpha2 = countries.getAlpha2Code(text, language);
    if (alpha2) return alpha2;
  }
  throw new TributaryError('NORMALIZATION_FAILED', `unknown country: ${JSON.stringify(text.slice(0, 40))}`);
}
