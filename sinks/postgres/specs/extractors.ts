import type { ColumnValue } from './entityTableSpec.js';

/**
 * Small readers used by entity specs. They never coerce silently into a different meaning: a
 * value of the wrong shape becomes NULL only where the column is optional; everything else is
 * passed through as text so PostgreSQL's cast rejects it (class 22) and the row goes to the DLQ.
 */
export function path(data: Record<string, unknown>, dotted: string): unknown {
  let current: unknown = data;
  for (const part of dotted.split('.')) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

/** Scalars pass through; objects/arrays become JSON text (so a jsonb column or a failing cast sees them). */
export function scalar(value: unknown): ColumnValue | undefined {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : null;
  if (typeof value === 'bigint') return value.toString();
  return JSON.stringify(value);
}

export function field(dotted: string): (data: Record<string, unknown>) => ColumnValue | undefined {
  return (data) => scalar(path(data, dotted));
}

/** Money `{ amount: "12.34", currency: "EUR" }` → two columns: numeric amount and ISO 4217 currency. */
export function moneyAmount(dotted: string): (data: Record<string, unknown>) => ColumnValue | undefined {
  return (data) => scalar(path(data, `${dotted}.amount`));
}

export function moneyCurrency(dotted: string): (data: Record<string, unknown>) => ColumnValue | undefined {
  return (data) => scalar(path(data, `${dotted}.currency`));
}

/** A jsonb column holding a nested value (address, tags) as JSON text. */
export function json(dotted: string): (data: Record<string, unknown>) => ColumnValue | undefined {
  return (data) => {
    const value = path(data, dotted);
    return value === undefined || value === null ? null : JSON.stringify(value);
  };
}
