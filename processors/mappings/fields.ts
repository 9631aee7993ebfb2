import type { FragmentField } from '../fragment.js';
import type { MappingObserver } from '../mapping.js';

/** Helpers every mapping uses to build fragment fields with their transformation labels. */
export function copy(value: unknown): FragmentField {
  return { value: value === undefined ? null : value, transformation: 'copy' };
}

export function derived(value: unknown, transformation: string): FragmentField {
  return { value, transformation };
}

/**
 * Normalises an optional field. A value the normaliser rejects becomes null with an
 * `invalid(<path>)` transformation and a type-mismatch drift count: one bad phone number must not
 * send a whole employee to the DLQ. Required fields (business keys) are not read through this.
 */
export function normalized<T>(
  observe: MappingObserver,
  path: string,
  raw: unknown,
  transformation: string,
  normalize: (value: string) => T,
): FragmentField {
  if (raw === undefined || raw === null || raw === '') {
    observe.missingField(path);
    return { value: null, transformation: 'missing' };
  }
  try {
    return { value: normalize(String(raw)), transformation };
  } catch {
    observe.typeMismatch(path, transformation);
    return { value: null, transformation: `invalid(${path})` };
  }
}

export function asRecord(payload: unknown, what: string): Record<string, unknown> {
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) {
    throw new TypeError(`${what}: payload is not an object`);
  }
  return payload as Record<string, unknown>;
}

export function requiredString(record: Record<string, unknown>, field: string, what: string): string {
  const value = record[field];
  if (typeof value !== 'string' || value.trim() === '') {
    throw new MappingInputError(`${what}: required field ${field} is missing or not text`);
  }
  return value.trim();
}

/** A record a mapping cannot turn into a canonical entity: goes to the DLQ, never retried. */
export class MappingInputError extends Error {
  override readonly name = 'MappingInputError';
}

/** "CC1042", "cc-1042", "CC-1042", "1042" and the ERP's "0000001042" are one cost center. */
export function normalizeCostCenterCode(code: string): string {
  const digits = code.replace(/\D/g, '');
  if (digits.length === 0)
    throw new MappingInputError(`cost center code without digits: ${JSON.stringify(code.slice(0, 20))}`);
  return digits.padStart(10, '0');
}

export function parseFlag(value: unknown): boolean | null {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string') {
    const upper = value.trim().toUpperCase();
    if (['Y', 'YES', 'TRUE', '1', 'X'].includes(upper)) return true;
    if (['N', 'NO', 'FALSE', '0', ''].includes(upper)) return false;
  }
  return null;
}
