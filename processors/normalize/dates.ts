import { TributaryError } from '../../platform/errors.js';

const months: Record<string, number> = {
  jan: 1,
  feb: 2,
  mar: 3,
  apr: 4,
  may: 5,
  jun: 6,
  jul: 7,
  aug: 8,
  sep: 9,
  oct: 10,
  nov: 11,
  dec: 12,
};

function isoDate(year: number, month: number, day: number, input: string): string {
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) {
    throw new TributaryError(
      'NORMALIZATION_FAILED',
      `not a calendar date: ${JSON.stringify(input.slice(0, 40))}`,
    );
  }
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/**
 * A local date (hire date, invoice date) as ISO 8601 `YYYY-MM-DD`, kept as a date: a timestamp's
 * own calendar day is used, never shifted through UTC. Slash dates need the source's order
 * (`order`, default month first); dotted dates are day first (the European convention).
 */
export function parseLocalDate(input: string, options: { order?: 'MDY' | 'DMY' } = {}): string {
  const text = input.trim();
  let match = /^(\d{4})-(\d{2})-(\d{2})(?:[T ].*)?$/.exec(text);
  if (match) return isoDate(Number(match[1]), Number(match[2]), Number(match[3]), input);
  match = /^(\d{4})(\d{2})(\d{2})$/.exec(text);
  if (match) return isoDate(Number(match[1]), Number(match[2]), Number(match[3]), input);
  match = /^(\d{1,2})[/.](\d{1,2})[/.](\d{4})$/.exec(text);
  if (match) {
    const first = Number(match[1]);
    const second = Number(match[2]);
    const order = text.includes('.') ? 'DMY' : (options.order ?? 'MDY');
    return order === 'MDY'
      ? isoDate(Number(match[3]), first, second, input)
      : isoDate(Number(match[3]), second, first, input);
  }
  match = /^(\d{1,2})[\s-]([A-Za-z]{3})[A-Za-z]*[\s-,]+(\d{4})$/.exec(text);
  if (match) {
    const month = months[(match[2] ?? '').toLowerCase()];
    if (month) return isoDate(Number(match[3]), month, Number(match[1]), input);
  }
  match = /^([A-Za-z]{3})[A-Za-z]*\s+(\d{1,2}),?\s+(\d{4})$/.exec(text);
  if (match) {
    const month = months[(match[1] ?? '').toLowerCase()];
    if (month) return isoDate(Number(match[3]), month, Number(match[2]), input);
  }
  match = /^\/Date\((-?\d+)\)\/$/.exec(text);
  if (match) return new Date(Number(match[1])).toISOString().slice(0, 10);
  throw new TributaryError(
    'NORMALIZATION_FAILED',
    `unrecognised date: ${JSON.stringify(input.slice(0, 40))}`,
  );
}

/** Offset of an IANA zone at a UTC instant, in minutes. */
function zoneOffsetMinutes(zone: string, utcMs: number): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(new Date(utcMs));
  const get = (type: string): number => Number(parts.find((part) => part.type === type)?.value ?? 0);
  const asUtc = Date.UTC(
    get('year'),
    get('month') - 1,
    get('day'),
    get('hour'),
    get('minute'),
    get('second'),
  );
  return Math.round((asUtc - utcMs) / 60_000);
}

/**
 * An instant as ISO 8601 UTC (`…Z`). Timestamps with an offset are converted; naive ones are read
 * in the source's declared IANA zone; epoch milliseconds and OData `/Date(ms)/` are accepted.
 */
export function toUtcInstant(input: string | number, sourceZone = 'UTC'): string {
  if (typeof input === 'number') return new Date(input).toISOString();
  const text = input.trim();
  const odata = /^\/Date\((-?\d+)([+-]\d{4})?\)\/$/.exec(text);
  if (odata) return new Date(Number(odata[1])).toISOString();
  if (/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i.test(text)) {
    const parsed = Date.parse(text.replace(' ', 'T'));
    if (!Number.isNaN(parsed)) return new Date(parsed).toISOString();
  }
  const naive = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?$/.exec(text);
  if (naive) {
    const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '0'] = naive;
    const wall = Date.UTC(
      Number(y),
      Number(mo) - 1,
      Number(d),
      Number(h),
      Number(mi),
      Number(s),
      Number(frac.slice(0, 3).padEnd(3, '0')),
    );
    // Two passes settle the offset around DST transitions.
    let utc = wall - zoneOffsetMinutes(sourceZone, wall) * 60_000;
    utc = wall - zoneOffsetMinutes(sourceZone, utc) * 60_000;
    return new Date(utc).toISOString();
  }
  throw new TributaryError(
    'NORMALIZATION_FAILED',
    `unrecognised timestamp: ${JSON.stringify(text.slice(0, 40))}`,
  );
}
