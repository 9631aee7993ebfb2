import { v5 as uuidv5 } from 'uuid';

/** Namespace of every Tributary canonical id (a fixed, random UUID; never change it). */
export const canonicalNamespace = '6f1c2c8e-4f3a-4b0e-9a57-3c1d2b7e9f40';

/** Upper-cased, trimmed, inner whitespace collapsed: "  emp-001 " and "EMP-001" are one key. */
export function normalizeBusinessKey(key: string): string {
  return key.trim().replace(/\s+/g, ' ').toUpperCase();
}

/**
 * Deterministic canonical id: UUIDv5 over the entity type and the normalised business key, so
 * the same person seen by three systems becomes one row, on every replay, on every machine.
 */
export function canonicalId(entity: string, businessKey: string): string {
  return uuidv5(`${entity}:${normalizeBusinessKey(businessKey)}`, canonicalNamespace);
}
