import { afterEach, describe, expect, it } from 'vitest';
import { ErpSimulator } from '../../../producers/simulators/erp/erpSimulator.js';
import { HrSimulator } from '../../../producers/simulators/hr/hrSimulator.js';
import type { SimulatorServer } from '../../../producers/simulators/simulatorServer.js';
import { erpBasic, getJson, hrCursorSync, hrToken, odataSync } from './simulatorClient.js';

const running: SimulatorServer[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((sim) => sim.stop()));
});

const records = 100_000;

describe('scale: 100k records per resource', () => {
  it('HR: full cursor sync of 100k workers returns each once; a deep page costs no more than a shallow one', async () => {
    let started = performance.now();
    const sim = new HrSimulator({ seed: 1, records, maxPageSize: 1000 });
    running.push(sim);
    const constructMs = performance.now() - started;
    const { url } = await sim.start();
    const headers = { authorization: `Bearer ${await hrToken(url)}` };
    started = performance.now();
    const read = await hrCursorSync<{ id: string }>(url, '/v1/workers', headers, { limit: 1000 });
    const syncMs = performance.now() - started;
    expect(read.records).toHaveLength(records);
    expect(new Set(read.records.map((w) => w.id)).size).toBe(records);

    const timePages = async (offset: number) => {
      const t = performance.now();
      for (let i = 0; i < 50; i++) {
        const { status } = await getJson(`${url}/v1/workers?offset=${offset}&limit=10`, headers);
        expect(status).toBe(200);
      }
      return performance.now() - t;
    };
    await timePages(0); // warm-up
    const shallow = await timePages(0);
    const deep = await timePages(records - 10);
    // O(page), not O(n): a page at the end is not meaningfully slower than the first one.
    expect(deep).toBeLessThan(shallow * 3 + 100);
    console.log(
      `HR 100k: construct ${constructMs.toFixed(0)} ms, cursor sync ${syncMs.toFixed(0)} ms ` +
        `(${Math.round(records / (syncMs / 1000))} records/s), 50 pages at offset 0 ${shallow.toFixed(0)} ms, ` +
        `at offset ${records - 10} ${deep.toFixed(0)} ms`,
    );
  }, 120_000);

  it('ERP: full $skiptoken sync of 100k invoices with lines returns each once', async () => {
    let started = performance.now();
    const sim = new ErpSimulator({ seed: 1, records, maxPageSize: 1000 });
    running.push(sim);
    const constructMs = performance.now() - started;
    const { url } = await sim.start();
    started = performance.now();
    const read = await odataSync<{ InvoiceID: string }>(`${url}/odata/v4/Invoices?$expand=Lines`, {
      authorization: erpBasic,
      prefer: 'odata.maxpagesize=1000',
    });
    const syncMs = performance.now() - started;
    expect(read.records).toHaveLength(records);
    expect(new Set(read.records.map((i) => i.InvoiceID)).size).toBe(records);
    console.log(
      `ERP 100k: construct ${constructMs.toFixed(0)} ms, invoice sync ${syncMs.toFixed(0)} ms ` +
        `(${Math.round(records / (syncMs / 1000))} records/s), heap ${Math.round(process.memoryUsage().heapUsed / 1e6)} MB`,
    );
  }, 120_000);
});
