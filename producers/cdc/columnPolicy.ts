/** How a sensitive column's value is replaced before it reaches Kafka. */
export type MaskStrategy = 'last4' | 'redact';

export interface TablePolicyInput {
  /** Columns never published (dropped from payload and column list). */
  exclude?: readonly string[];
  /** Columns published masked. */
  mask?: Readonly<Record<string, MaskStrategy>>;
  /** Sensitive-by-name columns that are deliberately published in clear. */
  reveal?: readonly string[];
}

/**
 * Column names treated as bank account data wherever they appear: masked (`last4`) unless a table
 * policy names them in `reveal`. The default protects a newly added column as well, because the
 * policy is applied to whatever columns the current relation has.
 */
const sensitiveName = /(account_number|account_no|iban|routing_number|sort_code|bank_account)/i;

export interface ColumnDescription {
  name: string;
  typeOid: number;
  /** Part of the primary key. */
  key: boolean;
  /** Published masked. */
  masked?: MaskStrategy;
}

export class ColumnPolicy {
  private readonly exclude: ReadonlySet<string>;
  private readonly reveal: ReadonlySet<string>;
  private readonly mask: ReadonlyMap<string, MaskStrategy>;

  constructor(input: TablePolicyInput = {}) {
    this.exclude = new Set(input.exclude ?? []);
    this.reveal = new Set(input.reveal ?? []);
    this.mask = new Map(Object.entries(input.mask ?? {}));
  }

  strategyFor(column: string): MaskStrategy | 'exclude' | 'clear' {
    if (this.exclude.has(column)) return 'exclude';
    const explicit = this.mask.get(column);
    if (explicit) return explicit;
    if (this.reveal.has(column)) return 'clear';
    return sensitiveName.test(column) ? 'last4' : 'clear';
  }

  /** The published column list: excluded columns removed, masked ones marked. */
  describe(columns: readonly Omit<ColumnDescription, 'masked'>[]): ColumnDescription[] {
    const out: ColumnDescription[] = [];
    for (const column of columns) {
      const strategy = this.strategyFor(column.name);
      if (strategy === 'exclude') continue;
      out.push(strategy === 'clear' ? { ...column } : { ...column, masked: strategy });
    }
    return out;
  }

  /** The row as published. Key columns are never excluded or masked (they are the record key). */
  apply(
    row: Readonly<Record<string, string | null>>,
    keyColumns: readonly string[],
  ): Record<string, string | null> {
    const out: Record<string, string | null> = {};
    for (const [name, value] of Object.entries(row)) {
      const strategy = keyColumns.includes(name) ? 'clear' : this.strategyFor(name);
      if (strategy === 'exclude') continue;
      out[name] = strategy === 'clear' || value === null ? value : maskValue(value, strategy);
    }
    return out;
  }
}

export function maskValue(value: string, strategy: MaskStrategy): string {
  if (strategy === 'redact') return '[redacted]';
  const visible = value.replace(/\s/g, '').slice(-4);
  return `****${visible}`;
}
