import { type ConnectorDefinition, defineConnector } from '../connector/connectorDefinition.js';

/**
 * The HR system (Workday/BambooHR style; the shipped HR simulator speaks it): OAuth2 client
 * credentials, keyset cursor paging (offset paging skips records under concurrent changes; see
 * producers/simulators/README.md), `updated_since` filtering and a /deleted feed per resource.
 *
 * Settings (environment): HR_BASE_URL, HR_INSTANCE, HR_CLIENT_ID, HR_CLIENT_SECRET (secrets are
 * referenced, never inlined), HR_REQUESTS_PER_SECOND, HR_PAGE_SIZE, HR_SYNC_INTERVAL_MS.
 */
export function hrConnector(env: NodeJS.ProcessEnv = process.env): ConnectorDefinition {
  const baseUrl = (env['HR_BASE_URL'] ?? 'http://127.0.0.1:18090').replace(/\/$/, '');
  const cursorPaging = {
    type: 'cursor' as const,
    tokenPath: 'next_cursor',
    tokenParam: 'cursor',
    pageSizeParam: 'limit',
    pageSize: Number(env['HR_PAGE_SIZE'] ?? 500),
  };
  const resource = (name: string, path: string) => ({
    name,
    path,
    query: { paging: 'cursor' },
    pagination: cursorPaging,
    recordSelector: 'data',
    naturalKey: 'id',
    cursor: { field: 'updatedAt', param: { name: 'updated_since', format: 'iso8601' as const } },
    lookbackMs: 60_000,
    schedule: { intervalMs: Number(env['HR_SYNC_INTERVAL_MS'] ?? 60_000) },
  });
  const deletedFeed = (name: string, path: string, of: string) => ({
    name,
    path,
    query: { paging: 'cursor' },
    pagination: cursorPaging,
    recordSelector: 'data',
    naturalKey: 'id',
    cursor: { field: 'deletedAt', param: { name: 'updated_since', format: 'iso8601' as const } },
    lookbackMs: 60_000,
    schedule: { intervalMs: Number(env['HR_SYNC_INTERVAL_MS'] ?? 60_000) },
    deleteSignal: { type: 'feed' as const, of },
  });
  return defineConnector({
    name: 'hr-connector',
    version: '1.0.0',
    source: {
      name: 'hr',
      system: 'hr-sim',
      instance: env['HR_INSTANCE'] ?? 'acme-hr',
      baseUrl,
      auth: {
        type: 'oauth2-client-credentials',
        tokenUrl: `${baseUrl}/oauth/token`,
        clientId: { env: 'HR_CLIENT_ID' },
        clientSecret: { env: 'HR_CLIENT_SECRET' },
        clientAuth: 'body',
      },
      rateLimit: { requestsPerSecond: Number(env['HR_REQUESTS_PER_SECOND'] ?? 50), maxConcurrency: 4 },
      retry: {
        initialIntervalMs: 100,
        maxIntervalMs: 5_000,
        multiplier: 2,
        maxAttempts: 8,
        maxElapsedMs: 60_000,
      },
    },
    streams: [
      resource('workers', '/v1/workers'),
      deletedFeed('workers_deleted', '/v1/workers/deleted', 'workers'),
      resource('org_units', '/v1/org-units'),
      deletedFeed('org_units_deleted', '/v1/org-units/deleted', 'org_units'),
      resource('jobs', '/v1/jobs'),
    ],
  });
}
