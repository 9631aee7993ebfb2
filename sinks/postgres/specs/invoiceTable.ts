import type { EntityTableSpec } from './entityTableSpec.js';
import { field, moneyAmount, moneyCurrency } from './extractors.js';

function lines(data: Record<string, unknown>): readonly Record<string, unknown>[] {
  const value = data['lines'];
  if (!Array.isArray(value)) return [];
  return value.filter((line): line is Record<string, unknown> => typeof line === 'object' && line !== null);
}

/** canonical.invoice → tables `invoice` and `invoice_line` (migration 0104). */
export const invoiceTable: EntityTableSpec = {
  entity: 'invoice',
  table: 'invoice',
  columns: [
    { name: 'invoice_number', type: 'text', extract: field('invoiceNumber') },
    { name: 'vendor_id', type: 'uuid', extract: field('vendorId') },
    { name: 'cost_center_id', type: 'uuid', extract: field('costCenterId') },
    { name: 'status', type: 'text', extract: field('status') },
    { name: 'issue_date', type: 'date', extract: field('issueDate') },
    { name: 'due_date', type: 'date', extract: field('dueDate') },
    { name: 'currency', type: 'text', extract: field('currency') },
    { name: 'subtotal_amount', type: 'numeric', extract: moneyAmount('subtotal') },
    { name: 'subtotal_currency', type: 'text', extract: moneyCurrency('subtotal') },
    { name: 'tax_amount', type: 'numeric', extract: moneyAmount('tax') },
    { name: 'tax_currency', type: 'text', extract: moneyCurrency('tax') },
    { name: 'total_amount', type: 'numeric', extract: moneyAmount('total') },
    { name: 'total_currency', type: 'text', extract: moneyCurrency('total') },
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
        { name: 'unit_price_amount', type: 'numeric', extract: moneyAmount('unitPrice') },
        { name: 'unit_price_currency', type: 'text', extract: moneyCurrency('unitPrice') },
        { name: 'amount', type: 'numeric', extract: moneyAmount('amount') },
        { name: 'amount_currency', type: 'text', extract: moneyCurrency('amount') },
        { name: 'gl_account', type: 'text', extract: field('glAccount') },
        { name: 'cost_center_id', type: 'uuid', extract: field('costCenterId') },
      ],
    },
  ],
};
