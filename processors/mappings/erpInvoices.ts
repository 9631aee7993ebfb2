import { canonicalId } from '../identity.js';
import type { MappedFragment, Mapping } from '../mapping.js';
import { parseLocalDate } from '../normalize/dates.js';
import { parseDecimal } from '../normalize/decimal.js';
import { type Money, normalizeCurrency, parseMoney } from '../normalize/money.js';
import {
  asRecord,
  copy,
  derived,
  MappingInputError,
  normalizeCostCenterCode,
  normalized,
  requiredString,
} from './fields.js';

const statuses: Record<string, string> = {
  parked: 'draft',
  posted: 'open',
  paid: 'paid',
  cancelled: 'cancelled',
};

/** ERP supplier invoices with lines → Invoice. Identity: vendor number / invoice number. */
export const erpInvoicesMapping: Mapping = {
  id: 'erp-invoices',
  version: 2,
  topics: ['raw.erp.invoices'],
  knownFields: [
    'InvoiceID',
    'VendorID',
    'CompanyCode',
    'DocumentDate',
    'PostingDate',
    'DueDate',
    'Currency',
    'NetAmount',
    'TaxAmount',
    'GrossAmount',
    'Status',
    'Reference',
    'LastChangeDateTime',
    'Lines',
  ],
  map(envelope, observe, context): MappedFragment[] {
    const invoice = asRecord(envelope.payload ?? {}, 'erp invoice');
    if (envelope.operation === 'delete') {
      // The delete feed carries only the invoice id; the vendor comes from the last known payload when present.
      const vendor = typeof invoice['VendorID'] === 'string' ? invoice['VendorID'] : undefined;
      if (!vendor)
        throw new MappingInputError(
          `invoice ${envelope.naturalKey} deleted without its vendor number: cannot derive the canonical id`,
        );
      return [{ entity: 'invoice', businessKey: `${vendor}/${envelope.naturalKey}`, fields: {} }];
    }
    const number = requiredString(invoice, 'InvoiceID', 'erp invoice');
    const vendor = requiredString(invoice, 'VendorID', 'erp invoice');
    const currency = normalizeCurrency(requiredString(invoice, 'Currency', 'erp invoice'));
    const money = (path: string, raw: unknown): { value: Money | null; transformation: string } =>
      normalized(observe, path, raw, 'money(locale)', (value) => parseMoney(value, currency)) as {
        value: Money | null;
        transformation: string;
      };
    const lines = Array.isArray(invoice['Lines'])
      ? (invoice['Lines'] as unknown[]).map((line, index) => {
          const l = asRecord(line, `invoice ${number} line ${index}`);
          return {
            lineNumber: Math.max(1, Math.round(Number(l['LineNumber']) / 10)),
            description: typeof l['Description'] === 'string' ? l['Description'] : null,
            quantity: typeof l['Quantity'] === 'string' ? parseDecimal(l['Quantity']) : null,
            unitPrice: typeof l['UnitPrice'] === 'string' ? parseDecimal(l['UnitPrice']) : null,
            netAmount: typeof l['NetAmount'] === 'string' ? parseMoney(l['NetAmount'], currency) : null,
            taxAmount: typeof l['TaxAmount'] === 'string' ? parseMoney(l['TaxAmount'], currency) : null,
            taxRatePercent: typeof l['TaxRate'] === 'string' ? parseDecimal(l['TaxRate']) : null,
            glAccountId:
              typeof l['GLAccountID'] === 'string' ? canonicalId('gl_account', l['GLAccountID']) : null,
            costCenterId:
              typeof l['CostCenterID'] === 'string'
                ? canonicalId('cost_center', normalizeCostCenterCode(l['CostCenterID']))
                : null,
          };
        })
      : undefined;
    if (!lines) observe.missingField('Lines');
    const status =
      typeof invoice['Status'] === 'string' ? statuses[invoice['Status'].toLowerCase()] : undefined;
    const total = money('GrossAmount', invoice['GrossAmount']);
    const invoiceDate = normalized(observe, 'DocumentDate', invoice['DocumentDate'], 'date', (value) =>
      parseLocalDate(value),
    );
    // Converted at the latest rate on or before the invoice date; a rate not yet received throws a
    // retryable FX_RATE_MISSING (retried, then dead-lettered for redrive) — never a silent zero.
    const reporting =
      total.value && typeof invoiceDate.value === 'string'
        ? context.fx.convert(total.value, context.reportingCurrency, invoiceDate.value)
        : { value: null, transformation: 'missing' };
    return [
      {
        entity: 'invoice',
        businessKey: `${vendor}/${number}`,
        fields: {
          vendorNumber: copy(vendor),
          invoiceNumber: copy(number),
          vendorId: derived(canonicalId('vendor', vendor), 'ref(vendor, VendorID)'),
          status: derived(status ?? null, 'enum(Parked→draft, Posted→open, Paid→paid, Cancelled→cancelled)'),
          currency: derived(currency, 'iso4217(upper)'),
          invoiceDate,
          postingDate: normalized(observe, 'PostingDate', invoice['PostingDate'], 'date', (value) =>
            parseLocalDate(value),
          ),
          dueDate: normalized(observe, 'DueDate', invoice['DueDate'], 'date(ISO|DATS|/Date()/)', (value) =>
            parseLocalDate(value),
          ),
          subtotal: money('NetAmount', invoice['NetAmount']),
          taxTotal: money('TaxAmount', invoice['TaxAmount']),
          total,
          totalReporting: derived(reporting.value, reporting.transformation),
          ...(lines ? { lines: derived(lines, 'lines(LineNumber/10; money(locale); refs)') } : {}),
        },
      },
    ];
  },
};
