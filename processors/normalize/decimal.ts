import { Decimal } from 'decimal.js';
import { TributaryError } from '../../platform/errors.js';

export interface ParseDecimalOptions {
  /**
   * The source's decimal separator when a lone '.' or ',' is ambiguous ("1.234"). Without it a
   * lone separator is read as the decimal point.
   */
  decimalSeparator?: '.' | ',';
}

/**
 * Reads an amount as sent by a source — "85.000,50", "85,000.50", "85 000,50", "-1.5", 1234.5 —
 * into a plain decimal string, never through a float. When both '.' and ',' occur, the last one
 * is the decimal separator; a separator occurring more than once is a thousands separator.
 */
export function parseDecimal(input: string | number, options: ParseDecimalOptions = {}): string {
  if (typeof input === 'number') {
    if (!Number.isFinite(input)) throw invalid(String(input));
    return new Decimal(String(input)).toFixed();
  }
  let text = input.trim().replace(/[\s\u00a0\u202f']/g, '');
  let negative = false;
  if (/^\(.*\)$/.test(text)) {
    negative = true;
    text = text.slice(1, -1);
  }
  if (text.startsWith('-')) {
    negative = !negative;
    text = text.slice(1);
  } else if (text.startsWith('+')) {
    text = text.slice(1);
  }
  if (!/^[0-9.,]+$/.test(text) || !/[0-9]/.test(text)) throw invalid(input);
  const lastDot = text.lastIndexOf('.');
  const lastComma = text.lastIndexOf(',');
  let decimalSeparator: '.' | ',' | undefined;
  if (lastDot >= 0 && lastComma >= 0) decimalSeparator = lastDot > lastComma ? '.' : ',';
  else if (lastDot >= 0 || lastComma >= 0) {
    const separator = lastDot >= 0 ? '.' : ',';
    const occurrences = text.split(separator).length - 1;
    if (occurrences > 1) decimalSeparator = undefined;
    else
      decimalSeparator =
        options.decimalSeparator === undefined
          ? separator
          : options.decimalSeparator === separator
            ? separator
            : undefined;
  }
  const thousands =
    decimalSeparator === '.' ? ',' : decimalSeparator === ',' ? '.' : text.includes('.') ? '.' : ',';
  let normalized = text.split(thousands).join('');
  if (decimalSeparator === ',') normalized = normalized.replace(',', '.');
  if (!/^\d*\.?\d*$/.test(normalized) || normalized === '.') throw invalid(input);
  const value = new Decimal(normalized.startsWith('.') ? `0${normalized}` : normalized);
  return (negative ? value.negated() : value).toFixed();
}

function invalid(input: string): TributaryError {
  return new TributaryError(
    'NORMALIZATION_FAILED',
    `not a decimal amount: ${JSON.stringify(input.slice(0, 40))}`,
  );
}
