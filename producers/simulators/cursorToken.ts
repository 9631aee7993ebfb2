import { z } from 'zod/v4';
import { hashString } from './prng.js';

/**
 * Opaque continuation tokens (HR `next_cursor`, OData `$skiptoken`). A token carries the keyset
 * position of the last item served plus the filter it was issued for, so a continuation never
 * depends on offsets that shift when records change between pages. A checksum makes clients that
 * edit or invent tokens fail loudly (400) instead of paging from a wrong place.
 */
const tokenSchema = z.object({
  v: z.literal(1),
  /** Resource the token belongs to. */
  r: z.string(),
  /** Change time of the last item served, epoch ms. */
  at: z.number().int(),
  /** Id of the last item served. */
  id: z.string(),
  /** The `updated since` filter of the first request, epoch ms. */
  since: z.number().int().optional(),
});

export type CursorToken = z.output<typeof tokenSchema>;

export function encodeCursorToken(token: Omit<CursorToken, 'v'>): string {
  const body = JSON.stringify({ v: 1, ...token });
  return `${Buffer.from(body).toString('base64url')}.${hashString(body).toString(36)}`;
}

/** Returns undefined for a token that was not issued by this simulator for this resource. */
export function decodeCursorToken(value: string, resource: string): CursorToken | undefined {
  const [payload, checksum] = value.split('.');
  if (payload === undefined || checksum === undefined) return undefined;
  const body = Buffer.from(payload, 'base64url').toString('utf8');
  if (hashString(body).toString(36) !== checksum) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  const result = tokenSchema.safeParse(parsed);
  if (!result.success || result.data.r !== resource) return undefined;
  return result.data;
}
