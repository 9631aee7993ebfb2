import { afterEach, describe, expect, it } from 'vitest';
import { ErpSimulator } from '../../../producers/simulators/erp/erpSimulator.js';
import type { FaultsInput } from '../../../producers/simulators/faultInjector.js';
import { HrSimulator } from '../../../producers/simulators/hr/hrSimulator.js';
import type { SimulatorServer } from '../../../producers/simulators/simulatorServer.js';
import { erpBasic, hrToken } from './simulatorClient.js';

const running: SimulatorServer[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((sim) => sim.stop()));
});

async function hrWith(faults: FaultsInput, clock?: () => number) {
  const sim = new HrSimulator({ seed: 1, records: 50, faults }, clock === undefined ? {} : { clock });
  running.push(sim);
  const { url } = await sim.start();
  const headers = { authorization: `Bearer ${await hrToken(url)}` };
  const get = (signal?: AbortSignal) => fetch(`${url}/v1/workers?limit=10`, { headers, signal });
  return { sim, url, headers, get };
}

describe('fault injection', () => {
  it('429 with Retry-After in seconds form', async () => {
    const { sim, get } = await hrWith({ rateLimit: { count: 1, retryAfterSeconds: 2 } });
    const limited = await get();
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('2');
    expect((await get()).status).toBe(200);
    expect(sim.stats().faults.served.rateLimit).toBe(1);
  });

  it('429 with Retry-After in HTTP-date form, computed on the injected clock', async () => {
    const now = Date.UTC(2026, 0, 1, 0, 0, 0);
    const { get } = await hrWith(
      { rateLimit: { count: 1, retryAfterSeconds: 2, retryAfterForm: 'http-date' } },
      () => now,
    );
    const limited = await get();
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('Thu, 01 Jan 2026 00:00:02 GMT');
  });

  it('5xx bursts: consecutive failures, then recovery', async () => {
    const { sim, get } = await hrWith({ serverError: { count: 1, burst: 3, status: 502, afterRequests: 1 } });
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await get()).status);
    expect(statuses).toEqual([200, 502, 502, 502, 200, 200]);
    expect(sim.stats().requests.byStatus['502']).toBe(3);
  });

  it('timeouts: no response until the client aborts; stop() still returns with a request held', async () => {
    const { sim, get } = await hrWith({ timeout: { count: 2 } });
    const started = Date.now();
    await expect(get(AbortSignal.timeout(300))).rejects.toThrow(/abort|timeout/i);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(sim.stats().faults.served.timeout).toBe(1);
    const held = get().catch((error: unknown) => error);
    await new Promise((resolve) => setTimeout(resolve, 100));
    await sim.stop();
    expect(await held).toBeInstanceOf(Error);
  });

  it('slow responses arrive complete after the delay', async () => {
    const { get } = await hrWith({ slow: { count: 1, delayMs: 400 } });
    const started = Date.now();
    const res = await get();
    const body = (await res.json()) as { data: unknown[] };
    expect(Date.now() - started).toBeGreaterThanOrEqual(380);
    expect(body.data).toHaveLength(10);
  });

  it('token expiry mid-sync: the token stops working, a new one works', async () => {
    const { sim, url, get } = await hrWith({ tokenExpiry: { count: 1, afterRequests: 2 } });
    expect((await get()).status).toBe(200);
    expect((await get()).status).toBe(200);
    const expired = await get();
    expect(expired.status).toBe(401);
    expect(((await expired.json()) as { error: string }).error).toBe('invalid_token');
    expect((await get()).status).toBe(401);
    const fresh = await fetch(`${url}/v1/workers`, {
      headers: { authorization: `Bearer ${await hrToken(url)}` },
    });
    expect(fresh.status).toBe(200);
    expect(sim.stats().faults.served.tokenExpiry).toBe(1);
  });

  it('a malformed page: 200 with a body that is not JSON (a prefix of the real page)', async () => {
    const { sim, url, headers, get } = await hrWith({ malformed: { count: 1 } });
    const res = await get();
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(() => JSON.parse(text)).toThrow(SyntaxError);
    const good = await (await fetch(`${url}/v1/workers?limit=10`, { headers })).text();
    expect(good.startsWith(text)).toBe(true);
    expect(sim.stats().faults.served.malformed).toBe(1);
  });

  it('a dropped connection: the socket is destroyed mid-body', async () => {
    const { sim, get } = await hrWith({ dropConnection: { count: 1 } });
    await expect(get().then((res) => res.text())).rejects.toThrow();
    expect((await get()).status).toBe(200);
    expect(sim.stats().faults.served.dropConnection).toBe(1);
  });

  it('faults are switched per run through the admin endpoint and counted in /_admin/stats', async () => {
    const { url, get } = await hrWith({});
    expect((await get()).status).toBe(200);
    const set = await fetch(`${url}/_admin/faults`, {
      method: 'POST',
      body: JSON.stringify({ serverError: { count: 1, burst: 1, status: 500 } }),
    });
    expect(set.status).toBe(200);
    expect((await get()).status).toBe(500);
    expect((await get()).status).toBe(200);
    const invalid = await fetch(`${url}/_admin/faults`, { method: 'POST', body: '{"timeout":{}}' });
    expect(invalid.status).toBe(400);
    const stats = (await (await fetch(`${url}/_admin/stats`)).json()) as {
      kind: string;
      requests: { data: number };
      faults: { served: Record<string, number> };
    };
    expect(stats.kind).toBe('hr');
    expect(stats.requests.data).toBe(3);
    expect(stats.faults.served['serverError']).toBe(1);
    expect(await (await fetch(`${url}/_admin/faults`)).json()).toEqual({
      serverError: { count: 1, burst: 1, status: 500, afterRequests: 0 },
    });
  });

  it('ERP: under every probabilistic fault at once, a retrying reader still gets exactly the ground truth', async () => {
    const sim = new ErpSimulator({
      seed: 2,
      records: 1000,
      faults: {
        rateLimit: { probability: 0.1, retryAfterSeconds: 0 },
        serverError: { probability: 0.05, burst: 2 },
        timeout: { probability: 0.05 },
        slow: { probability: 0.1, delayMs: 20 },
        malformed: { probability: 0.05 },
        dropConnection: { probability: 0.08 },
      },
    });
    running.push(sim);
    const { url } = await sim.start();
    const headers = { authorization: erpBasic, prefer: 'odata.maxpagesize=10' };
    const ids: string[] = [];
    let next: string | undefined = `${url}/odata/v4/Vendors`;
    let attempts = 0;
    while (next !== undefined) {
      attempts++;
      expect(attempts).toBeLessThan(500);
      try {
        const res = await fetch(next, { headers, signal: AbortSignal.timeout(200) });
        if (res.status !== 200) continue;
        const body = JSON.parse(await res.text()) as {
          value: { VendorID: string }[];
          '@odata.nextLink'?: string;
        };
        ids.push(...body.value.map((v) => v.VendorID));
        next = body['@odata.nextLink'];
      } catch {
        // timeout, dropped connection or malformed page: retry the same link
      }
    }
    expect(ids.sort()).toEqual(sim.groundTruth('vendors').records.map((v) => v.VendorID));
    const served = sim.stats().faults.served;
    for (const kind of [
      'rateLimit',
      'serverError',
      'timeout',
      'slow',
      'malformed',
      'dropConnection',
    ] as const) {
      expect(served[kind], kind).toBeGreaterThan(0);
    }
  });
});
