import { type CountryCode, parsePhoneNumberFromString } from 'libphonenumber-js';
import { TributaryError } from '../../platform/errors.js';

/** Phone to E.164 ("+4930123456"), reading national formats in the given country. */
export function normalizePhone(input: string, defaultCountry?: string): string {
  const text = input.trim();
  // "00" is the international prefix in most of the world but not everywhere (Japan dials 010),
  // so a number written "0081…" is read as international before the country's own rules.
  const candidates = text.startsWith('00') ? [`+${text.slice(2)}`, text] : [text];
  for (const candidate of candidates) {
    const parsed = parsePhoneNumberFromString(candidate, defaultCountry as CountryCode | undefined);
    if (parsed?.isValid() && /^\+[1-9]\d{1,14}$/.test(parsed.number)) return parsed.number;
  }
  // The number is personal data: the error says what kind of value failed, not the value.
  throw new TributaryError(
    'NORMALIZATION_FAILED',
    `not a valid phone number (${input.replace(/\d/g, '#').slice(0, 30)})`,
  );
}

/** Trimmed, lower-cased e-mail address with a plausible shape. */
export function normalizeEmail(input: string): string {
  const email = input.trim().toLowerCase();
  if (!/^[^\s@]+@[^\s@]+\.[a-z]{2,}$/.test(email)) {
    throw new TributaryError('NORMALIZATION_FAILED', 'not a valid e-mail address');
  }
  return email;
}
