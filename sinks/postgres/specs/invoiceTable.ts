import type { EntityTableSpec } from './entityTableSpec.js';
import { field, moneyAmount, moneyCurrency } from './extractors.js';

function lines(data: Record<string, unknown>): readonly Record<string, unknown>[] {
  const value = data['lines'];
  if (!Array.isArray(value)) return [];
  return value.filter((line): line is Record<string, unknown> => typeof line === 'object' && line !== null);
}

/**
 * canonical.invoice (schemas/entities/invoice.ts) → tables `invoice` and `invoice_line`
 * (migrations 0104, 0105, 0110).
 */
export const invoiceTable: EntityTableSpec = {
  entity: 'invoice',
  table: 'invoice',
  columns: [
    { name: 'vendor_number', type: 'text', extract: field('vendorNumber') },
    { name: 'invoice_number', type: 'text', extract: field('invoiceNumber') },
    { name: 'vendor_id', type: 'uuid', extract: field('vendorId') },
    { name: 'status', type: 'text', extract: field('status') },
    { name: 'currency', type: 'text', extract: field('currency') },
    { name: 'invoice_date', type: 'date', extract: field('invoiceDate') },
    { name: 'due_date', type: 'date', extract: field('dueDate') },
    { name: 'posting_date', type: 'date', extract: field('postingDate') },
    { name: 'paid_date', type: 'date', extract: field('paidDate') },
    { name: 'subtotal_amount', type: 'numeric', extract: moneyAmount('subtotal') },
    { name: 'subtotal_currency', type: 'text', extract: moneyCurrency('subtotal') },
    { name: 'tax_total_amount', type: 'numeric', extract: moneyAmount('taxTotal') },
    { name: 'tax_total_currency', type: 'text', extract: moneyCurrency('taxTotal') },
    { name: 'total_amount', type: 'numeric', extract: moneyAmount('total') },
    { name: 'total_currency', type: 'text', extract: moneyCurrency('total') },
    { name: 'total_reporting_amount', type: 'numeric', extract: moneyAmount('totalReporting') },
    { name: 'total_reporting_currency', type: 'text', extract: moneyCurrency('totalReporting') },
    { name: 'amount_due_amount', type: 'numeric', extract: moneyAmount('amountDue') },
    { name: 'amount_due_currency', type: 'text', extract: moneyCurrency('amountDue') },
  ],
  children: [
    {
      table: 'invoice_line',
      parentColumn: 'invoice_id',
      positionColumn: 'line_index',
      rows: lines,
      columns: [
        { name: 'line_number', type: 'integer', extract: field('lineNumber') },
        { name: 'description', type: 'text', extract: field('description') },
        { name: 'quantity', type: 'numeric', extract: field('quantity') },
        { name: 'unit_price', type: 'numeric', extract: field('unitPrice') },
        { name: 'net_amount', type: 'numeric', extract: moneyAmount('netAmount') },
        { name: 'net_currency', type: 'text', extract: moneyCurrency('netAmount') },
        { name: 'tax_amount', type: 'numeric', extract: moneyAmount('taxAmount') },
        { name: 'tax_currency', type: 'text', extract: moneyCurrency('taxAmount') },
        { name: 'tax_rate_percent', type: 'numeric', extract: field('taxRatePercent') },
        { name: 'gl_account_id', type: 'uuid', extract: field('glAccountId') },
        { name: 'cost_center_id', type: 'uuid', extract: field('costCenterId') },
      ],
    },
  ],
};
