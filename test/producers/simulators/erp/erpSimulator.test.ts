import { Decimal } from 'decimal.js';
import { afterEach, describe, expect, it } from 'vitest';
import type { ErpInvoice, ErpVendor } from '../../../../producers/simulators/erp/erpRecords.js';
import { ErpSimulator } from '../../../../producers/simulators/erp/erpSimulator.js';
import type { ErpSimulatorOptionsInput } from '../../../../producers/simulators/erp/erpSimulatorOptions.js';
import { erpBasic, getJson, type ODataPage, odataSync } from '../simulatorClient.js';

const running: ErpSimulator[] = [];

async function startErp(options: ErpSimulatorOptionsInput = {}): Promise<{ sim: ErpSimulator; url: string }> {
  const sim = new ErpSimulator(options);
  running.push(sim);
  const { url } = await sim.start({ port: 0, host: '127.0.0.1' });
  return { sim, url };
}

afterEach(async () => {
  await Promise.all(running.splice(0).map((sim) => sim.stop()));
});

const auth = { authorization: erpBasic };
const pageOf = (n: number) => ({ ...auth, prefer: `odata.maxpagesize=${n}` });
const sortBy =
  <T>(key: keyof T) =>
  (records: readonly T[]) =>
    [...records].sort((a, b) => (String(a[key]) < String(b[key]) ? -1 : 1));

/**
 * Amount strings in either locale, as a Decimal (test-side normalisation). A currency without
 * minor units (JPY) only has grouping separators: "1.234" there is one thousand two hundred …
 */
const amount = (value: string, currency = 'EUR') => {
  if (currency.toUpperCase() === 'JPY') return new Decimal(value.replace(/[.,]/g, ''));
  return new Decimal(value.includes(',') ? value.replace(/\./g, '').replace(',', '.') : value);
};

describe('ErpSimulator (OData v4)', () => {
  it('is deterministic by seed', () => {
    const a = new ErpSimulator({ seed: 3, records: 200 });
    const b = new ErpSimulator({ seed: 3, records: 200 });
    const c = new ErpSimulator({ seed: 4, records: 200 });
    expect(a.groundTruth('invoices')).toEqual(b.groundTruth('invoices'));
    expect(a.groundTruth('vendors')).toEqual(b.groundTruth('vendors'));
    expect(a.groundTruth('invoices')).not.toEqual(c.groundTruth('invoices'));
  });

  it('pages every entity set exactly once through @odata.nextLink/$skiptoken', async () => {
    const { sim, url } = await startErp({ seed: 5, records: 333 });
    const invoices = await odataSync<ErpInvoice>(`${url}/odata/v4/Invoices?$expand=Lines`, pageOf(40));
    expect(invoices.records).toHaveLength(333);
    expect(invoices.pages).toBe(Math.ceil(333 / 40));
    expect(sortBy<ErpInvoice>('InvoiceID')(invoices.records)).toEqual(sim.groundTruth('invoices').records);
    const keys = invoices.records.map((i) => `${i.LastChangeDateTime}|${i.InvoiceID}`);
    expect(keys).toEqual([...keys].sort());
    for (const [set, resource, key] of [
      ['Vendors', 'vendors', 'VendorID'],
      ['CostCenters', 'costCenters', 'CostCenterID'],
      ['GLAccounts', 'glAccounts', 'GLAccountID'],
    ] as const) {
      const read = await odataSync<Record<string, string>>(`${url}/odata/v4/${set}`, pageOf(7));
      expect(sortBy<Record<string, string>>(key)(read.records)).toEqual(sim.groundTruth(resource).records);
    }
  });

  it('sends nextLink also as a Link header, honours $top/$skip/$count and omits Lines without $expand', async () => {
    const { sim, url } = await startErp({ seed: 6, records: 50 });
    const res = await fetch(`${url}/odata/v4/Invoices?$count=true&$top=15&$skip=5`, { headers: pageOf(10) });
    expect(res.headers.get('preference-applied')).toBe('odata.maxpagesize=10');
    expect(res.headers.get('odata-version')).toBe('4.0');
    const body = (await res.json()) as ODataPage<Partial<ErpInvoice>>;
    expect(body['@odata.count']).toBe(50);
    expect(body.value).toHaveLength(10);
    expect(body.value.every((invoice) => invoice.Lines === undefined)).toBe(true);
    expect(res.headers.get('link')).toBe(`<${body['@odata.nextLink']}>; rel="next"`);
    const rest = await odataSync<ErpInvoice>(body['@odata.nextLink']!, pageOf(10));
    expect(rest.records).toHaveLength(5);
    const ordered = [...sim.groundTruth('invoices').records].sort((a, b) =>
      `${a.LastChangeDateTime}|${a.InvoiceID}` < `${b.LastChangeDateTime}|${b.InvoiceID}` ? -1 : 1,
    );
    expect([...body.value, ...rest.records].map((i) => i.InvoiceID)).toEqual(
      ordered.slice(5, 20).map((i) => i.InvoiceID),
    );
    const single = await getJson<ErpVendor>(`${url}/odata/v4/Vendors('V0000003')`, auth);
    expect(single.body).toEqual(expect.objectContaining(sim.groundTruth('vendors').records[2]));
    expect((await getJson(`${url}/odata/v4/Vendors('V9999999')`, auth)).status).toBe(404);
  });

  it('filters LastChangeDateTime ge (inclusive) and gt (exclusive), and rejects unsupported queries in OData error form', async () => {
    const { sim, url } = await startErp({ seed: 7, records: 400 });
    const truth = sim.groundTruth('vendors').records;
    const boundary = [...truth].sort((a, b) => (a.LastChangeDateTime < b.LastChangeDateTime ? -1 : 1))[200]!
      .LastChangeDateTime;
    const ge = await odataSync<ErpVendor>(
      `${url}/odata/v4/Vendors?$filter=${encodeURIComponent(`LastChangeDateTime ge ${boundary}`)}`,
      pageOf(30),
    );
    expect(sortBy<ErpVendor>('VendorID')(ge.records)).toEqual(
      truth.filter((v) => v.LastChangeDateTime >= boundary),
    );
    const gt = await odataSync<ErpVendor>(
      `${url}/odata/v4/Vendors?$filter=${encodeURIComponent(`LastChangeDateTime gt '${boundary}'`)}`,
      pageOf(30),
    );
    expect(sortBy<ErpVendor>('VendorID')(gt.records)).toEqual(
      truth.filter((v) => v.LastChangeDateTime > boundary),
    );
    const bad = await getJson<{ error: { code: string; message: string } }>(
      `${url}/odata/v4/Vendors?$filter=${encodeURIComponent("VendorName eq 'x'")}`,
      auth,
    );
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('BadRequest');
    expect((await getJson(`${url}/odata/v4/Vendors?$select=VendorID`, auth)).status).toBe(400);
    expect((await getJson(`${url}/odata/v4/Vendors?$skiptoken=forged`, auth)).status).toBe(400);
    expect((await getJson(`${url}/odata/v4/Vendors?$expand=Lines`, auth)).status).toBe(400);
  });

  it('keeps invoice arithmetic exact: net = Σ lines, tax = Σ lines, gross = net + tax', () => {
    const sim = new ErpSimulator({ seed: 8, records: 300 });
    const invoices = sim.groundTruth('invoices').records;
    for (const invoice of invoices) {
      const c = invoice.Currency;
      const net = invoice.Lines.reduce((sum, line) => sum.plus(amount(line.NetAmount, c)), new Decimal(0));
      const tax = invoice.Lines.reduce((sum, line) => sum.plus(amount(line.TaxAmount, c)), new Decimal(0));
      expect(amount(invoice.NetAmount, c).toString()).toBe(net.toString());
      expect(amount(invoice.TaxAmount, c).toString()).toBe(tax.toString());
      expect(amount(invoice.GrossAmount, c).toString()).toBe(net.plus(tax).toString());
    }
    expect(invoices.some((i) => /^\d{8}$/.test(i.DocumentDate))).toBe(true);
    expect(invoices.some((i) => /^\/Date\(\d+\)\/$/.test(i.DocumentDate))).toBe(true);
    expect(invoices.some((i) => /,\d{2}$/.test(i.GrossAmount))).toBe(true);
    expect(invoices.some((i) => i.Currency !== i.Currency.toUpperCase())).toBe(true);
  });

  it('serves deletions in Deleted<Set> and ground truth matches a full read after mutations', async () => {
    const { sim, url } = await startErp({ seed: 9, records: 120 });
    const result = sim.mutate({ updates: 6, creates: 4, deletes: 3 });
    expect(result.resource).toBe('invoices');
    const truth = sim.groundTruth('invoices');
    const read = await odataSync<ErpInvoice>(`${url}/odata/v4/Invoices?$expand=Lines`, pageOf(25));
    expect(sortBy<ErpInvoice>('InvoiceID')(read.records)).toEqual(truth.records);
    const deleted = await odataSync<{ ID: string; DeletionDateTime: string }>(
      `${url}/odata/v4/DeletedInvoices`,
      pageOf(2),
    );
    expect(deleted.records.map((d) => d.ID).sort()).toEqual(truth.deletedIds);
    const since = result.changes[0]!.at;
    const incremental = await odataSync<ErpInvoice>(
      `${url}/odata/v4/Invoices?$filter=${encodeURIComponent(`LastChangeDateTime ge ${since}`)}`,
      pageOf(3),
    );
    expect(incremental.records.map((i) => i.InvoiceID).sort()).toEqual(
      result.changes
        .filter((c) => c.op !== 'delete')
        .map((c) => c.id)
        .sort(),
    );
  });

  it('records changed mid-sync are served again on a later page and the final versions equal the truth', async () => {
    const { sim, url } = await startErp({ seed: 10, records: 200 });
    const read = await odataSync<ErpInvoice>(`${url}/odata/v4/Invoices?$expand=Lines`, pageOf(20), () => {
      sim.mutate({ updates: 4 });
    });
    const latest = new Map<string, ErpInvoice>();
    for (const invoice of read.records) latest.set(invoice.InvoiceID, invoice);
    expect(read.records.length).toBeGreaterThan(latest.size);
    expect(sortBy<ErpInvoice>('InvoiceID')([...latest.values()])).toEqual(
      sim.groundTruth('invoices').records,
    );
  });

  it('requires Basic credentials by default and an API key when configured', async () => {
    const { url } = await startErp({ records: 3 });
    expect((await getJson(`${url}/odata/v4/Vendors`, {})).status).toBe(401);
    const wrong = `Basic ${Buffer.from('tributary:nope').toString('base64')}`;
    expect((await getJson(`${url}/odata/v4/Vendors`, { authorization: wrong })).status).toBe(401);
    expect((await getJson(`${url}/odata/v4/Vendors`, auth)).status).toBe(200);
    const keyed = await startErp({ records: 3, auth: { kind: 'apiKey', header: 'APIKey', key: 'abc' } });
    expect((await getJson(`${keyed.url}/odata/v4/Vendors`, { apikey: 'abc' })).status).toBe(200);
    expect((await getJson(`${keyed.url}/odata/v4/Vendors`, { apikey: 'abd' })).status).toBe(401);
    expect((await getJson(`${keyed.url}/odata/v4/Vendors`, auth)).status).toBe(401);
    expect(() => new ErpSimulator({ auth: { kind: 'oauth2' } } as never)).toThrow(/auth/);
  });
});
