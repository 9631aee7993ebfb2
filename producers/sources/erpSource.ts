import { type ConnectorDefinition, defineConnector } from '../connector/connectorDefinition.js';

/**
 * The ERP (SAP S/4HANA OData v4 style; the shipped ERP simulator speaks it): HTTP Basic,
 * server-driven paging (`Prefer: odata.maxpagesize`, `$skiptoken` in `@odata.nextLink`),
 * `$filter=LastChangeDateTime ge …` and `Deleted<Set>` entity sets as delete feeds.
 *
 * Settings (environment): ERP_BASE_URL, ERP_INSTANCE, ERP_USERNAME, ERP_PASSWORD,
 * ERP_REQUESTS_PER_SECOND.
 */
export function erpConnector(env: NodeJS.ProcessEnv = process.env): ConnectorDefinition {
  const baseUrl = (env['ERP_BASE_URL'] ?? 'http://127.0.0.1:18091').replace(/\/$/, '');
  const entitySet = (name: string, set: string, key: string, query: Record<string, string> = {}) => ({
    name,
    path: `/odata/v4/${set}`,
    query,
    pagination: { type: 'odata' as const, maxPageSize: 500 },
    recordSelector: 'value',
    naturalKey: key,
    cursor: {
      field: 'LastChangeDateTime',
      param: { name: '$filter', format: 'iso8601' as const, template: 'LastChangeDateTime ge {value}' },
    },
    lookbackMs: 60_000,
    schedule: { intervalMs: 60_000 },
  });
  const deletedSet = (name: string, set: string, of: string) => ({
    name,
    path: `/odata/v4/${set}`,
    pagination: { type: 'odata' as const, maxPageSize: 500 },
    recordSelector: 'value',
    naturalKey: 'ID',
    cursor: {
      field: 'DeletionDateTime',
      param: { name: '$filter', format: 'iso8601' as const, template: 'DeletionDateTime ge {value}' },
    },
    lookbackMs: 60_000,
    schedule: { intervalMs: 60_000 },
    deleteSignal: { type: 'feed' as const, of },
  });
  return defineConnector({
    name: 'erp-connector',
    version: '1.0.0',
    source: {
      name: 'erp',
      system: 'erp-sim',
      instance: env['ERP_INSTANCE'] ?? 'acme-erp',
      baseUrl,
      auth: { type: 'basic', username: { env: 'ERP_USERNAME' }, password: { env: 'ERP_PASSWORD' } },
      rateLimit: { requestsPerSecond: Number(env['ERP_REQUESTS_PER_SECOND'] ?? 50), maxConcurrency: 4 },
      retry: {
        initialIntervalMs: 100,
        maxIntervalMs: 5_000,
        multiplier: 2,
        maxAttempts: 8,
        maxElapsedMs: 60_000,
      },
    },
    streams: [
      entitySet('vendors', 'Vendors', 'VendorID'),
      deletedSet('vendors_deleted', 'DeletedVendors', 'vendors'),
      entitySet('invoices', 'Invoices', 'InvoiceID', { $expand: 'Lines' }),
      deletedSet('invoices_deleted', 'DeletedInvoices', 'invoices'),
      entitySet('cost_centers', 'CostCenters', 'CostCenterID'),
      deletedSet('cost_centers_deleted', 'DeletedCostCenters', 'cost_centers'),
      entitySet('gl_accounts', 'GLAccounts', 'GLAccountID'),
      entitySet('fx_rates', 'ExchangeRates', 'RateID'),
    ],
  });
}
