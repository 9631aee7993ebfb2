import { afterEach, describe, expect, it } from 'vitest';
import type { HrWorker } from '../../../../producers/simulators/hr/hrRecords.js';
import { HrSimulator } from '../../../../producers/simulators/hr/hrSimulator.js';
import type { HrSimulatorOptionsInput } from '../../../../producers/simulators/hr/hrSimulatorOptions.js';
import { getJson, hrCursorSync, hrOffsetSync, hrToken } from '../simulatorClient.js';

const running: HrSimulator[] = [];

async function startHr(
  options: HrSimulatorOptionsInput = {},
  clock?: () => number,
): Promise<{ sim: HrSimulator; url: string; headers: Record<string, string> }> {
  const sim = new HrSimulator(options, clock === undefined ? {} : { clock });
  running.push(sim);
  const { url } = await sim.start({ port: 0, host: '127.0.0.1' });
  const auth = sim.options.auth;
  const headers: Record<string, string> =
    auth.kind === 'apiKey'
      ? { [auth.header]: auth.key }
      : auth.clientId === 'tributary-client'
        ? { authorization: `Bearer ${await hrToken(url)}` }
        : {};
  return { sim, url, headers };
}

afterEach(async () => {
  await Promise.all(running.splice(0).map((sim) => sim.stop()));
});

const byId = <T extends { id: string }>(records: readonly T[]) =>
  [...records].sort((a, b) => (a.id < b.id ? -1 : 1));

describe('HrSimulator data', () => {
  it('serves the same records for the same seed and different ones for another seed', async () => {
    const a = await startHr({ seed: 11, records: 300 });
    const b = await startHr({ seed: 11, records: 300 });
    const c = await startHr({ seed: 12, records: 300 });
    const read = (s: { url: string; headers: Record<string, string> }) =>
      hrOffsetSync<HrWorker>(s.url, '/v1/workers', s.headers, { limit: 100 });
    const [ra, rb, rc] = await Promise.all([read(a), read(b), read(c)]);
    expect(ra).toHaveLength(300);
    expect(ra).toEqual(rb);
    expect(ra).not.toEqual(rc);
    expect(a.sim.groundTruth('workers')).toEqual(b.sim.groundTruth('workers'));
    expect(a.sim.groundTruth('jobs').records.length).toBeGreaterThan(0);
  });

  it('contains the promised mess: mixed dates, locale amounts, currency case, ties, missing and extra fields', async () => {
    const { sim } = await startHr({ seed: 3, records: 2000 });
    const workers = sim.groundTruth('workers').records;
    const has = (predicate: (w: HrWorker) => boolean) => workers.some(predicate);
    expect(has((w) => /^\d{4}-\d{2}-\d{2}$/.test(w.hireDate))).toBe(true);
    expect(has((w) => /^\d{2}\/\d{2}\/\d{4}$/.test(w.hireDate))).toBe(true);
    expect(has((w) => /T00:00:00\+01:00$/.test(w.hireDate))).toBe(true);
    expect(has((w) => /^\d{1,3}(\.\d{3})+,\d{2}$/.test(w.compensation.amount))).toBe(true);
    expect(has((w) => /^\d+\.\d{2}$/.test(w.compensation.amount))).toBe(true);
    expect(has((w) => w.compensation.currency === w.compensation.currency.toLowerCase())).toBe(true);
    for (const frequency of ['annual', 'monthly', 'biweekly', 'hourly']) {
      expect(has((w) => w.compensation.payFrequency.toLowerCase() === frequency)).toBe(true);
    }
    expect(has((w) => w.phone === undefined)).toBe(true);
    expect(has((w) => w.legacyId !== undefined || w.customFields !== undefined)).toBe(true);
    expect(has((w) => w.status === 'Terminated' && typeof w.terminationDate === 'string')).toBe(true);
    expect(has((w) => w.country.length === 3 && w.country === w.country.toUpperCase())).toBe(true);
    const times = new Map<string, number>();
    for (const w of workers) times.set(w.updatedAt, (times.get(w.updatedAt) ?? 0) + 1);
    expect(Math.max(...times.values())).toBeGreaterThan(3);
    expect(workers.every((w) => /^W\d{6}$/.test(w.id))).toBe(true);
  });

  it('offset paging and cursor paging each cover every record exactly once when nothing changes', async () => {
    const { sim, url, headers } = await startHr({ seed: 5, records: 1234 });
    const truth = sim.groundTruth('workers').records;
    const offset = await hrOffsetSync<HrWorker>(url, '/v1/workers', headers, { limit: 100 });
    const cursor = await hrCursorSync<HrWorker>(url, '/v1/workers', headers, { limit: 97 });
    expect(offset).toHaveLength(1234);
    expect(new Set(offset.map((w) => w.id)).size).toBe(1234);
    expect(byId(offset)).toEqual(truth);
    expect(cursor.records).toHaveLength(1234);
    expect(byId(cursor.records)).toEqual(truth);
    expect(cursor.pages).toBe(Math.ceil(1234 / 97));
    // Ordered by (updatedAt, id).
    const keys = cursor.records.map((w) => `${w.updatedAt}|${w.id}`);
    expect(keys).toEqual([...keys].sort());
    for (const path of ['/v1/org-units', '/v1/jobs']) {
      const all = await hrOffsetSync<{ id: string }>(url, path, headers, { limit: 50 });
      expect(byId(all)).toEqual(sim.groundTruth(path === '/v1/jobs' ? 'jobs' : 'orgUnits').records);
    }
  });

  it('filters updated_since inclusively, ties included, for both paging styles', async () => {
    const { sim, url, headers } = await startHr({ seed: 8, records: 800 });
    const truth = sim.groundTruth('workers').records;
    const counts = new Map<string, number>();
    for (const w of truth) counts.set(w.updatedAt, (counts.get(w.updatedAt) ?? 0) + 1);
    // A boundary shared by several records: the inclusive filter must return all of them.
    const [boundary] = [...counts.entries()]
      .filter(([, n]) => n > 1)
      .sort(([a], [b]) => (a < b ? -1 : 1))[0]!;
    const expected = truth.filter((w) => w.updatedAt >= boundary);
    const offset = await hrOffsetSync<HrWorker>(url, '/v1/workers', headers, { limit: 33, since: boundary });
    const cursor = await hrCursorSync<HrWorker>(url, '/v1/workers', headers, { limit: 33, since: boundary });
    expect(byId(offset)).toEqual(expected);
    expect(byId(cursor.records)).toEqual(expected);
    expect(offset.filter((w) => w.updatedAt === boundary).length).toBe(counts.get(boundary));
    // The same instant with an offset zone selects the same set.
    const shifted = new Date(Date.parse(boundary)).toISOString().replace('Z', '+00:00');
    const again = await hrOffsetSync<HrWorker>(url, '/v1/workers', headers, { limit: 500, since: shifted });
    expect(again.length).toBe(expected.length);
    const bad = await getJson<{ error: string }>(`${url}/v1/workers?updated_since=2024-01-01`, headers);
    expect(bad.status).toBe(400);
  });

  it('rejects out-of-range limits and foreign cursors, and serves single records', async () => {
    const { sim, url, headers } = await startHr({ seed: 1, records: 50, maxPageSize: 20 });
    expect((await getJson(`${url}/v1/workers?limit=21`, headers)).status).toBe(400);
    expect((await getJson(`${url}/v1/workers?cursor=abc`, headers)).status).toBe(400);
    const first = await getJson<{ next_cursor: string }>(`${url}/v1/jobs?paging=cursor&limit=2`, headers);
    expect((await getJson(`${url}/v1/workers?cursor=${first.body.next_cursor}`, headers)).status).toBe(400);
    const truth = sim.groundTruth('workers').records[7]!;
    expect((await getJson(`${url}/v1/workers/${truth.id}`, headers)).body).toEqual(truth);
    expect((await getJson(`${url}/v1/workers/W999999`, headers)).status).toBe(404);
    expect((await getJson(`${url}/v1/nothing`, headers)).status).toBe(404);
  });
});

describe('HrSimulator auth', () => {
  it('issues OAuth2 tokens only for the right client credentials (body or Basic header)', async () => {
    const { url } = await startHr({
      records: 5,
      auth: { kind: 'oauth2', clientId: 'c1', clientSecret: 's1' },
    });
    await expect(hrToken(url, 'c1', 'wrong')).rejects.toThrow(/401/);
    await expect(hrToken(url, 'nobody', 's1')).rejects.toThrow(/invalid_client/);
    const viaBasic = await fetch(`${url}/oauth/token`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from('c1:s1').toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'grant_type=client_credentials',
    });
    expect(viaBasic.status).toBe(200);
    const wrongGrant = await fetch(`${url}/oauth/token`, { method: 'POST', body: 'grant_type=password' });
    expect(wrongGrant.status).toBe(400);
    const token = await hrToken(url, 'c1', 's1');
    expect((await getJson(`${url}/v1/workers`, { authorization: `Bearer ${token}` })).status).toBe(200);
    expect((await getJson(`${url}/v1/workers`, { authorization: 'Bearer made-up' })).status).toBe(401);
    expect((await getJson(`${url}/v1/workers`, {})).status).toBe(401);
  });

  it('rejects a token once its TTL has passed on the injected clock', async () => {
    let now = 1_000_000;
    const { sim, url } = await startHr(
      { records: 5, auth: { kind: 'oauth2', tokenTtlSeconds: 60 } },
      () => now,
    );
    const token = await hrToken(url);
    const auth = { authorization: `Bearer ${token}` };
    now += 59_000;
    expect((await getJson(`${url}/v1/workers`, auth)).status).toBe(200);
    now += 1_000;
    const expired = await fetch(`${url}/v1/workers`, { headers: auth });
    expect(expired.status).toBe(401);
    expect(expired.headers.get('www-authenticate')).toContain('invalid_token');
    expect(((await expired.json()) as { error: string }).error).toBe('invalid_token');
    expect(sim.stats().auth.expiredTokensRejected).toBe(1);
    const fresh = await hrToken(url);
    expect((await getJson(`${url}/v1/workers`, { authorization: `Bearer ${fresh}` })).status).toBe(200);
  });

  it('accepts only the configured API key header when auth is apiKey, and has no token endpoint', async () => {
    const { url } = await startHr({
      records: 5,
      auth: { kind: 'apiKey', header: 'X-Api-Key', key: 'k-123' },
    });
    expect((await getJson(`${url}/v1/workers`, { 'x-api-key': 'k-123' })).status).toBe(200);
    expect((await getJson(`${url}/v1/workers`, { 'x-api-key': 'k-124' })).status).toBe(401);
    expect((await getJson(`${url}/v1/workers`, { authorization: 'Bearer k-123' })).status).toBe(401);
    const token = await fetch(`${url}/oauth/token`, {
      method: 'POST',
      body: 'grant_type=client_credentials',
    });
    expect(token.status).toBe(401);
  });

  it('validates options and names the bad field', () => {
    expect(() => new HrSimulator({ records: -1 })).toThrow(/records/);
    expect(() => new HrSimulator({ counts: { people: 3 } })).toThrow(/counts\.people/);
    expect(() => new HrSimulator({ auth: { kind: 'basic' } } as never)).toThrow(/auth/);
    expect(() => new HrSimulator({ faults: { timeout: {} } })).toThrow(/faults\.timeout/);
  });
});

describe('HrSimulator mutations', () => {
  it('ground truth matches what a sync reads after updates, creates and deletes', async () => {
    const { sim, url, headers } = await startHr({ seed: 21, records: 400 });
    const before = sim.groundTruth('workers');
    const result = sim.mutate({ updates: 10, creates: 5, deletes: 4 });
    expect(result.changes.map((c) => c.op)).toEqual([
      ...Array<string>(10).fill('update'),
      ...Array<string>(5).fill('create'),
      ...Array<string>(4).fill('delete'),
    ]);
    const after = sim.groundTruth('workers');
    expect(after.records).toHaveLength(400 + 5 - 4);
    const deleted = result.changes.filter((c) => c.op === 'delete').map((c) => c.id);
    expect(after.deletedIds).toEqual([...deleted].sort());
    const synced = await hrCursorSync<HrWorker>(url, '/v1/workers', headers, { limit: 64 });
    expect(byId(synced.records)).toEqual(after.records);
    // Updated records carry a change time later than anything in the seed data.
    const seedLatest = before.records
      .map((w) => w.updatedAt)
      .sort()
      .at(-1)!;
    for (const change of result.changes) expect(change.at > seedLatest).toBe(true);
    // The delete feed lists exactly the deleted ids (offset and cursor forms).
    const feed = await hrOffsetSync<{ id: string; deletedAt: string }>(url, '/v1/workers/deleted', headers, {
      limit: 3,
    });
    expect(feed.map((d) => d.id).sort()).toEqual(after.deletedIds);
    const feedCursor = await hrCursorSync<{ id: string }>(url, '/v1/workers/deleted', headers, { limit: 3 });
    expect(feedCursor.records.map((d) => d.id).sort()).toEqual(after.deletedIds);
    // An incremental read from the first change sees exactly the changed, still existing records.
    const since = result.changes[0]!.at;
    const incremental = await hrCursorSync<HrWorker>(url, '/v1/workers', headers, { limit: 7, since });
    const live = result.changes.filter((c) => c.op !== 'delete').map((c) => c.id);
    expect(incremental.records.map((w) => w.id).sort()).toEqual([...live].sort());
  });

  it('is deterministic: the same seed and the same calls give the same changes', () => {
    const run = () => {
      const sim = new HrSimulator({ seed: 4, records: 100 });
      sim.mutate({ count: 20 });
      sim.mutate({ count: 5, sameTimestamp: true, resource: 'jobs' });
      return [sim.groundTruth('workers'), sim.groundTruth('jobs')];
    };
    expect(run()).toEqual(run());
  });

  it('sameTimestamp gives all changes one instant, and a keyset cursor at that tie loses none of them', async () => {
    const { sim, url, headers } = await startHr({ seed: 2, records: 200 });
    const result = sim.mutate({ updates: 9, creates: 3, sameTimestamp: true });
    const instants = new Set(result.changes.map((c) => c.at));
    expect(instants.size).toBe(1);
    const [at] = [...instants];
    // Page size 2 guarantees page boundaries fall inside the tie.
    const read = await hrCursorSync<HrWorker>(url, '/v1/workers', headers, { limit: 2, since: at! });
    expect(read.records.map((w) => w.id).sort()).toEqual(result.changes.map((c) => c.id).sort());
  });

  it('backdated changes land behind a cursor that already moved on', async () => {
    const { sim, url, headers } = await startHr({ seed: 2, records: 100 });
    const first = sim.mutate({ updates: 1 });
    const late = sim.mutate({ updates: 1, backdateMs: 3_600_000 });
    expect(late.changes[0]!.at < first.changes[0]!.at).toBe(true);
    const afterCursor = await hrCursorSync<HrWorker>(url, '/v1/workers', headers, {
      limit: 10,
      since: first.changes[0]!.at,
    });
    expect(afterCursor.records.map((w) => w.id)).not.toContain(late.changes[0]!.id);
  });

  it('records changing while a sync pages through them re-appear on a later page (cursor) and the final state is still complete', async () => {
    const { sim, url, headers } = await startHr({ seed: 6, records: 300 });
    // Random updates between pages: records already served move past the cursor and are served again.
    const read = await hrCursorSync<HrWorker>(url, '/v1/workers', headers, {
      limit: 25,
      between: () => {
        sim.mutate({ updates: 3 });
      },
    });
    const counts = new Map<string, number>();
    for (const w of read.records) counts.set(w.id, (counts.get(w.id) ?? 0) + 1);
    expect([...counts.values()].some((n) => n > 1)).toBe(true);
    // Last version seen per id equals the truth: nothing lost despite the changes.
    const latest = new Map<string, HrWorker>();
    for (const w of read.records) latest.set(w.id, w);
    expect(byId([...latest.values()])).toEqual(sim.groundTruth('workers').records);
  });

  it('targeted updates and deletes; live offset paging can skip a record when an earlier one changes (cursor paging cannot)', async () => {
    const { sim, url, headers } = await startHr({ seed: 12, records: 60 });
    expect(() => sim.mutate({ updateIds: ['W999999'] })).toThrow(/does not exist/);
    const targeted = sim.mutate({ updateIds: ['W000003'], deleteIds: ['W000004'] });
    expect(targeted.changes.map((c) => [c.id, c.op])).toEqual([
      ['W000003', 'update'],
      ['W000004', 'delete'],
    ]);
    // Offset paging: after page 1, update a record from page 1; it moves to the end and the
    // record that was first on page 2 shifts into page 1's range: it is never served.
    const firstPage = await getJson<{ data: HrWorker[] }>(`${url}/v1/workers?offset=0&limit=10`, headers);
    const secondPageBefore = await getJson<{ data: HrWorker[] }>(
      `${url}/v1/workers?offset=10&limit=10`,
      headers,
    );
    const victim = secondPageBefore.body.data[0]!.id;
    const offsetRead = await hrOffsetSync<HrWorker>(url, '/v1/workers', headers, {
      limit: 10,
      between: (page) => {
        if (page === 0) sim.mutate({ updateIds: [firstPage.body.data[0]!.id] });
      },
    });
    expect(offsetRead.map((w) => w.id)).not.toContain(victim);
    // The same change during a cursor sync loses nothing.
    const cursorFirst = await getJson<{ data: HrWorker[] }>(
      `${url}/v1/workers?paging=cursor&limit=10`,
      headers,
    );
    const cursorRead = await hrCursorSync<HrWorker>(url, '/v1/workers', headers, {
      limit: 10,
      between: (page) => {
        if (page === 1) sim.mutate({ updateIds: [cursorFirst.body.data[0]!.id] });
      },
    });
    expect(new Set(cursorRead.records.map((w) => w.id))).toEqual(
      new Set(sim.groundTruth('workers').records.map((w) => w.id)),
    );
  });

  it('churn mutates automatically every N served pages; the admin endpoints mutate and report truth', async () => {
    const { sim, url, headers } = await startHr({
      seed: 9,
      records: 100,
      churn: { everyRequests: 2, count: 4, sameTimestamp: true },
    });
    await hrOffsetSync<HrWorker>(url, '/v1/workers', headers, { limit: 10 });
    expect(sim.stats().mutations.churnSteps).toBeGreaterThanOrEqual(5);
    const mutate = await fetch(`${url}/_admin/mutate`, {
      method: 'POST',
      body: JSON.stringify({ resource: 'orgUnits', updates: 2 }),
    });
    expect(mutate.status).toBe(200);
    const result = (await mutate.json()) as { resource: string; changes: { id: string }[] };
    expect(result.resource).toBe('orgUnits');
    const truth = (await (await fetch(`${url}/_admin/truth?resource=workers`)).json()) as unknown;
    expect(truth).toEqual(JSON.parse(JSON.stringify(sim.groundTruth('workers'))));
    const all = (await (await fetch(`${url}/_admin/truth`)).json()) as Record<string, unknown>;
    expect(Object.keys(all).sort()).toEqual(['jobs', 'orgUnits', 'workers']);
    expect((await fetch(`${url}/_admin/truth?resource=nope`)).status).toBe(404);
    const bad = await fetch(`${url}/_admin/mutate`, { method: 'POST', body: '{"count":-1}' });
    expect(bad.status).toBe(400);
  });
});
