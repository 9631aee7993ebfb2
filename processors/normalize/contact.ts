import { type CountryCode, parsePhoneNumberFromString } from 'libphonenumber-js';
import { TributaryError } from '../../platform/errors.js';

/** Phone to E.164 ("+4930123456"), reading national formats in the given country. */
export function normalizePhone(input: string, defaultCountry?: string): string {
  const parsed = parsePhoneNumberFromString(input.trim(), defaultCountry as CountryCode | undefined);
  if (!parsed?.isValid()) {
    // The number is personal data: the error says what kind of value failed, not the value.
    throw new TributaryError(
      'NORMALIZATION_FAILED',
      `not a valid phone number (${input.replace(/\d/g, '#').slice(0, 30)})`,
    );
  }
  return parsed.number;
}

/** Trimmed, lower-cased e-mail address with a plausible shape. */
export function normalizeEmail(input: string): string {
  const email = input.trim().toLowerCase();
  if (!/^[^\s@]+@[^\s@]+\.[a-z]{2,}$/.test(email)) {
    throw new TributaryError('NORMALIZATION_FAILED', 'not a valid e-mail address');
  }
  return email;
}
