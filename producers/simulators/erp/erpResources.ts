import {
  type AmountStyle,
  type CountryProfile,
  caseVariant,
  countries,
  type DateStyle,
  formatAmount,
  formatDate,
  lastNames,
  pad,
  randomDay,
} from '../messyFormats.js';
import { Prng } from '../prng.js';
import { seedTime } from '../seedTime.js';
import type { ResourceBehaviour } from '../simulatedResource.js';
import type {
  ErpCostCenter,
  ErpExchangeRate,
  ErpGLAccount,
  ErpInvoice,
  ErpInvoiceLine,
  ErpVendor,
} from './erpRecords.js';

export interface ErpCounts {
  readonly vendors: number;
  readonly invoices: number;
  readonly costCenters: number;
  readonly glAccounts: number;
  readonly exchangeRates: number;
}

/**
 * Monthly average ('M') rates to USD for every invoice currency, first of each month from
 * 2023-01 (invoice dates span 2023–2025), so each invoice has a rate on or before its date.
 */
export const exchangeRateCurrencies = ['EUR', 'GBP', 'CHF', 'JPY', 'INR', 'BRL', 'CAD'] as const;
const usdPerUnit: Record<(typeof exchangeRateCurrencies)[number], number> = {
  EUR: 1.09,
  GBP: 1.27,
  CHF: 1.12,
  JPY: 0.0069,
  INR: 0.012,
  BRL: 0.2,
  CAD: 0.74,
};
export const exchangeRateMonths = 36;
const rateMonth = (n: number): string => {
  const month = Math.floor(n / exchangeRateCurrencies.length);
  const date = new Date(Date.UTC(2023, month, 1));
  return date.toISOString().slice(0, 10);
};
const rateCurrency = (n: number): (typeof exchangeRateCurrencies)[number] =>
  exchangeRateCurrencies[n % exchangeRateCurrencies.length] ?? 'EUR';
const exchangeRateId = (n: number): string => `M-${rateCurrency(n)}-USD-${rateMonth(n)}`;

function buildExchangeRate(prng: Prng, id: string, at: number): ErpExchangeRate {
  const [, from = 'EUR', , ...date] = id.split('-');
  const base = usdPerUnit[from as (typeof exchangeRateCurrencies)[number]] ?? 1;
  const drifted = base * (1 + (prng.next() - 0.5) * 0.06);
  return {
    RateID: id,
    ExchangeRateType: 'M',
    FromCurrency: from,
    ToCurrency: 'USD',
    ValidFromDate: date.join('-'),
    ExchangeRate: drifted.toPrecision(6),
    LastChangeDateTime: iso(at),
  };
}

const vendorId = (n: number): string => `V${pad(n + 1, 7)}`;
const invoiceId = (n: number): string => `INV${pad(n + 1, 9)}`;
const costCenterId = (n: number): string => pad(1000 + n, 10);
const glAccountId = (n: number): string => pad(100000 + n, 10);
const iso = (ms: number): string => new Date(ms).toISOString();

const erpDateStyles: readonly DateStyle[] = ['iso', 'iso', 'iso', 'iso', 'iso', 'compact', 'odataLegacy'];
const companyCodes = ['1000', '1010', '2000', '3000'] as const;
const vendorSuffixes = ['GmbH', 'Ltd', 'Inc.', 'S.A.', 'B.V.', 'AG', 'LLC', 'K.K.'] as const;
const vendorWords = [
  'Logistics',
  'Supplies',
  'Consulting',
  'Software',
  'Facilities',
  'Print',
  'Energy',
] as const;
const lineWords = [
  'License fee',
  'Consulting hours',
  'Office supplies',
  'Freight',
  'Maintenance',
  'Travel',
] as const;
/** Tax code → rate in basis points. */
const taxCodes: ReadonlyArray<readonly [string, bigint]> = [
  ['V0', 0n],
  ['V1', 1900n],
  ['V2', 700n],
  ['V3', 2000n],
];

function amountStyle(prng: Prng): AmountStyle {
  return prng.chance(0.15) ? 'de' : 'plain';
}

function buildVendor(prng: Prng, id: string, at: number): ErpVendor {
  const country = prng.pick(countries);
  const vendor: ErpVendor = {
    VendorID: id,
    VendorName: `${prng.pick(lastNames)} ${prng.pick(vendorWords)} ${prng.pick(vendorSuffixes)}`,
    Country: prng.chance(0.85) ? country.alpha2 : country.alpha2.toLowerCase(),
    Currency: caseVariant(prng, country.currency),
    PaymentTerms: prng.pick(['NT30', 'NT30', 'NT60', 'NT14', '2/10 NET 30']),
    IsBlocked: prng.chance(0.05),
    CreatedDate: formatDate(
      randomDay(prng, Date.UTC(2010, 0, 1), Date.UTC(2023, 11, 31)),
      prng.pick(erpDateStyles),
    ),
    LastChangeDateTime: iso(at),
  };
  if (prng.chance(0.85)) vendor.TaxNumber = `${country.alpha2}${pad(prng.int(0, 999_999_999), 9)}`;
  if (prng.chance(0.6))
    vendor.IBAN = `${country.alpha2}${pad(prng.int(10, 99), 2)}${pad(prng.int(0, 999_999_999), 12)}`;
  return vendor;
}

interface InvoiceRefs {
  readonly vendors: number;
  readonly costCenters: number;
  readonly glAccounts: number;
}

function buildLines(
  prng: Prng,
  country: CountryProfile,
  refs: InvoiceRefs,
  style: AmountStyle,
): {
  lines: ErpInvoiceLine[];
  net: bigint;
  tax: bigint;
} {
  const lines: ErpInvoiceLine[] = [];
  let net = 0n;
  let tax = 0n;
  const scale = 10n ** BigInt(country.decimals);
  const count = prng.int(1, 5);
  for (let i = 0; i < count; i++) {
    const quantity = BigInt(prng.int(1, 20));
    const unitMinor = BigInt(prng.int(1, 5000)) * scale + BigInt(prng.int(0, Number(scale) - 1));
    const lineNet = quantity * unitMinor;
    const [taxCode, rateBp] = prng.pick(taxCodes);
    // Tax rounded half up to the currency's minor unit, per line (as most ERPs do).
    const lineTax = (lineNet * rateBp + 5000n) / 10000n;
    net += lineNet;
    tax += lineTax;
    const line: ErpInvoiceLine = {
      LineNumber: (i + 1) * 10,
      GLAccountID: glAccountId(prng.int(0, Math.max(0, refs.glAccounts - 1))),
      Description: prng.pick(lineWords),
      Quantity: `${quantity}.000`,
      UnitPrice: formatAmount(unitMinor, country.decimals, style),
      NetAmount: formatAmount(lineNet, country.decimals, style),
      TaxCode: taxCode,
      TaxRate: formatAmount(rateBp, 2, 'plain'),
      TaxAmount: formatAmount(lineTax, country.decimals, style),
    };
    if (prng.chance(0.7)) line.CostCenterID = costCenterId(prng.int(0, Math.max(0, refs.costCenters - 1)));
    lines.push(line);
  }
  return { lines, net, tax };
}

function buildInvoice(prng: Prng, id: string, at: number, refs: InvoiceRefs): ErpInvoice {
  const country = prng.pick(countries);
  const style = amountStyle(prng);
  const documentDay = randomDay(prng, Date.UTC(2023, 0, 1), Date.UTC(2025, 11, 31));
  const dateStyle = prng.pick(erpDateStyles);
  const { lines, net, tax } = buildLines(prng, country, refs, style);
  const invoice: ErpInvoice = {
    InvoiceID: id,
    VendorID: vendorId(prng.int(0, Math.max(0, refs.vendors - 1))),
    CompanyCode: prng.pick(companyCodes),
    DocumentDate: formatDate(documentDay, dateStyle),
    PostingDate: formatDate(documentDay + prng.int(0, 5) * 86_400_000, dateStyle),
    Currency: caseVariant(prng, country.currency),
    NetAmount: formatAmount(net, country.decimals, style),
    TaxAmount: formatAmount(tax, country.decimals, style),
    GrossAmount: formatAmount(net + tax, country.decimals, style),
    Status: prng.chance(0.1)
      ? 'POSTED'
      : prng.pick(['Parked', 'Posted', 'Posted', 'Paid', 'Paid', 'Cancelled']),
    LastChangeDateTime: iso(at),
    Lines: lines,
  };
  if (prng.chance(0.9)) invoice.DueDate = formatDate(documentDay + 30 * 86_400_000, dateStyle);
  if (prng.chance(0.4)) invoice.Reference = `PO-${pad(prng.int(0, 999_999), 6)}`;
  return invoice;
}

function updateInvoice(prng: Prng, current: ErpInvoice, at: number): ErpInvoice {
  const next: ErpInvoice = structuredClone(current);
  next.LastChangeDateTime = iso(at);
  const roll = prng.next();
  if (roll < 0.5) next.Status = prng.pick(['Posted', 'Paid', 'Cancelled']);
  else if (roll < 0.8)
    next.DueDate = formatDate(randomDay(prng, Date.UTC(2024, 0, 1), Date.UTC(2026, 11, 31)), 'iso');
  else next.Reference = `PO-${pad(prng.int(0, 999_999), 6)}`;
  return next;
}

function buildCostCenter(prng: Prng, id: string, at: number, workers: number): ErpCostCenter {
  const center: ErpCostCenter = {
    CostCenterID: id,
    Name: `${prng.pick(vendorWords)} ${prng.pick(['EMEA', 'US', 'APAC', 'HQ'])}`,
    ControllingArea: prng.pick(['A000', 'A000', 'B000']),
    CompanyCode: prng.pick(companyCodes),
    ValidFrom: formatDate(
      randomDay(prng, Date.UTC(2015, 0, 1), Date.UTC(2023, 11, 31)),
      prng.pick(erpDateStyles),
    ),
    ValidTo: prng.chance(0.9)
      ? '9999-12-31'
      : formatDate(randomDay(prng, Date.UTC(2026, 0, 1), Date.UTC(2030, 0, 1)), 'iso'),
    IsBlocked: prng.chance(0.05),
    LastChangeDateTime: iso(at),
  };
  if (prng.chance(0.8)) center.PersonResponsible = `W${pad(prng.int(1, Math.max(1, workers)), 6)}`;
  return center;
}

function buildGLAccount(prng: Prng, id: string, at: number): ErpGLAccount {
  return {
    GLAccountID: id,
    Name: `${prng.pick(lineWords)} ${prng.pick(['expense', 'revenue', 'clearing', 'accrual'])}`,
    AccountType: prng.pick(['X', 'P', 'P', 'N']),
    ChartOfAccounts: 'YCOA',
    IsBlocked: prng.chance(0.03),
    LastChangeDateTime: iso(at),
  };
}

export function erpResources(
  seed: number,
  counts: ErpCounts,
): [
  ResourceBehaviour<ErpVendor>,
  ResourceBehaviour<ErpInvoice>,
  ResourceBehaviour<ErpCostCenter>,
  ResourceBehaviour<ErpGLAccount>,
  ResourceBehaviour<ErpExchangeRate>,
] {
  const seeded =
    <T>(name: string, idFor: (n: number) => string, build: (prng: Prng, id: string, at: number) => T) =>
    (seq: number): T =>
      build(Prng.derive(seed, `${name}:${seq}`), idFor(seq), seedTime(seed, name, seq));
  const time = (name: string) => (seq: number) => seedTime(seed, name, seq);

  const invoiceBuild = (prng: Prng, id: string, at: number): ErpInvoice => buildInvoice(prng, id, at, counts);
  const costCenterBuild = (prng: Prng, id: string, at: number): ErpCostCenter =>
    buildCostCenter(prng, id, at, counts.vendors);
  return [
    {
      name: 'vendors',
      count: counts.vendors,
      primary: false,
      idFor: vendorId,
      seedTime: time('vendors'),
      generate: seeded('vendors', vendorId, buildVendor),
      create: buildVendor,
      update: (prng, current, at) => ({
        ...current,
        PaymentTerms: prng.pick(['NT30', 'NT60', 'NT14']),
        IsBlocked: prng.chance(0.2),
        LastChangeDateTime: iso(at),
      }),
    },
    {
      name: 'invoices',
      count: counts.invoices,
      primary: true,
      idFor: invoiceId,
      seedTime: time('invoices'),
      generate: seeded('invoices', invoiceId, invoiceBuild),
      create: invoiceBuild,
      update: updateInvoice,
    },
    {
      name: 'costCenters',
      count: counts.costCenters,
      primary: false,
      idFor: costCenterId,
      seedTime: time('costCenters'),
      generate: seeded('costCenters', costCenterId, costCenterBuild),
      create: costCenterBuild,
      update: (prng, current, at) => ({
        ...current,
        IsBlocked: prng.chance(0.3),
        LastChangeDateTime: iso(at),
      }),
    },
    {
      name: 'glAccounts',
      count: counts.glAccounts,
      primary: false,
      idFor: glAccountId,
      seedTime: time('glAccounts'),
      generate: seeded('glAccounts', glAccountId, buildGLAccount),
      create: buildGLAccount,
      update: (prng, current, at) => ({
        ...current,
        IsBlocked: prng.chance(0.3),
        LastChangeDateTime: iso(at),
      }),
    },
    {
      name: 'exchangeRates',
      count: counts.exchangeRates,
      primary: false,
      idFor: exchangeRateId,
      seedTime: time('exchangeRates'),
      generate: seeded('exchangeRates', exchangeRateId, buildExchangeRate),
      create: buildExchangeRate,
      // A corrected rate: the same id, a slightly different value.
      update: (prng, current, at) => ({
        ...current,
        ExchangeRate: (Number(current.ExchangeRate) * (1 + (prng.next() - 0.5) * 0.002)).toPrecision(6),
        LastChangeDateTime: iso(at),
      }),
    },
  ];
}
