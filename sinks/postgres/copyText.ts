/**
 * PostgreSQL COPY text format, the subset the sink writes: fields separated by tabs, rows by
 * newlines, NULL as `\N`, and backslash, tab, newline and carriage return escaped.
 */
export function copyField(value: string | null): string {
  if (value === null) return '\\N';
  // Fast path: most values (ids, numbers, JSON text) contain nothing to escape.
  if (!/[\\\t\n\r]/.test(value)) return value;
  return value.replace(/[\\\t\n\r]/g, (char) =>
    char === '\\' ? '\\\\' : char === '\t' ? '\\t' : char === '\n' ? '\\n' : '\\r',
  );
}

/** A text[] literal, e.g. `{"hr-workers@1","x"}`: every element quoted, `"` and `\` escaped. */
export function pgTextArrayLiteral(values: readonly string[]): string {
  return `{${values.map((value) => `"${value.replace(/[\\"]/g, (char) => `\\${char}`)}"`).join(',')}}`;
}

/** COPY text cannot carry NUL (nor can PostgreSQL text): such a value is rejected before it is sent. */
export function hasNul(value: string | null): boolean {
  return (value ?? '').includes('\u0000');
}
