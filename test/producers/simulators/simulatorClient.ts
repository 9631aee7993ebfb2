/** Minimal clients for the simulators' documented APIs, as a connector would call them. */

export const hrClient = { id: 'tributary-client', secret: 'tributary-secret' };
export const erpBasic = `Basic ${Buffer.from('tributary:tributary-password').toString('base64')}`;

export async function hrToken(url: string, id = hrClient.id, secret = hrClient.secret): Promise<string> {
  const res = await fetch(`${url}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: id, client_secret: secret }),
  });
  if (res.status !== 200) throw new Error(`token request failed: ${res.status} ${await res.text()}`);
  const body = (await res.json()) as { access_token: string };
  return body.access_token;
}

export async function getJson<T>(
  url: string,
  headers: Record<string, string>,
): Promise<{ status: number; body: T }> {
  const res = await fetch(url, { headers });
  return { status: res.status, body: (await res.json()) as T };
}

export interface HrListPage<T> {
  data: T[];
  total?: number;
  next_cursor?: string | null;
}

/** Reads every page with offset paging; `between` runs after each page (to change data mid-sync). */
export async function hrOffsetSync<T>(
  url: string,
  path: string,
  headers: Record<string, string>,
  options: { limit: number; since?: string; between?: (page: number) => Promise<void> | void },
): Promise<T[]> {
  const out: T[] = [];
  for (let offset = 0, page = 0; ; page++) {
    const query = new URLSearchParams({ offset: String(offset), limit: String(options.limit) });
    if (options.since !== undefined) query.set('updated_since', options.since);
    const { status, body } = await getJson<HrListPage<T>>(`${url}${path}?${query}`, headers);
    if (status !== 200) throw new Error(`HTTP ${status}: ${JSON.stringify(body)}`);
    out.push(...body.data);
    offset += body.data.length;
    if (body.data.length === 0 || offset >= (body.total ?? 0)) return out;
    await options.between?.(page);
  }
}

/** Reads every page with cursor paging. */
export async function hrCursorSync<T>(
  url: string,
  path: string,
  headers: Record<string, string>,
  options: { limit: number; since?: string; between?: (page: number) => Promise<void> | void },
): Promise<{ records: T[]; pages: number }> {
  const out: T[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const query = new URLSearchParams({ limit: String(options.limit) });
    if (cursor === null) {
      query.set('paging', 'cursor');
      if (options.since !== undefined) query.set('updated_since', options.since);
    } else {
      query.set('cursor', cursor);
    }
    const { status, body } = await getJson<HrListPage<T>>(`${url}${path}?${query}`, headers);
    if (status !== 200) throw new Error(`HTTP ${status}: ${JSON.stringify(body)}`);
    out.push(...body.data);
    cursor = body.next_cursor ?? null;
    pages++;
    if (cursor !== null) await options.between?.(pages);
  } while (cursor !== null);
  return { records: out, pages };
}

export interface ODataPage<T> {
  value: T[];
  '@odata.nextLink'?: string;
  '@odata.count'?: number;
}

/** Follows @odata.nextLink until the end. */
export async function odataSync<T>(
  first: string,
  headers: Record<string, string>,
  between?: (page: number) => Promise<void> | void,
): Promise<{ records: T[]; pages: number }> {
  const out: T[] = [];
  let next: string | undefined = first;
  let pages = 0;
  while (next !== undefined) {
    const { status, body }: { status: number; body: ODataPage<T> } = await getJson<ODataPage<T>>(
      next,
      headers,
    );
    if (status !== 200) throw new Error(`HTTP ${status}: ${JSON.stringify(body)}`);
    out.push(...body.value);
    next = body['@odata.nextLink'];
    pages++;
    if (next !== undefined) await between?.(pages);
  }
  return { records: out, pages };
}
