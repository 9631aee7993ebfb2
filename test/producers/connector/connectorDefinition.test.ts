import { describe, expect, it } from 'vitest';
import { TributaryError } from '../../../platform/errors.js';
import {
  type ConnectorDefinitionInput,
  defineConnector,
} from '../../../producers/connector/connectorDefinition.js';

const valid = (): ConnectorDefinitionInput => ({
  name: 'acme-hr-connector',
  version: '1.2.0',
  source: {
    name: 'acme-hr',
    system: 'workday',
    instance: 'acme-hr-prod',
    baseUrl: 'https://hr.example.com/api/v1',
    auth: {
      type: 'oauth2-client-credentials',
      tokenUrl: 'https://hr.example.com/oauth/token',
      clientId: { env: 'ACME_HR_CLIENT_ID' },
      clientSecret: { file: '/run/secrets/acme-hr-client-secret' },
    },
    rateLimit: { requestsPerSecond: 10, maxConcurrency: 2 },
  },
  streams: [
    {
      name: 'workers',
      path: '/workers',
      pagination: { type: 'offset-limit', limit: 100, hasMorePath: 'hasMore' },
      recordSelector: 'data',
      naturalKey: 'id',
      cursor: { field: 'lastModified', param: { name: 'updatedSince' } },
    },
    {
      name: 'org_units',
      path: '/orgUnits',
      pagination: { type: 'page-number', pageSize: 50 },
      naturalKey: ['company', 'code'],
    },
  ],
});

function problemsOf(input: unknown): string {
  try {
    defineConnector(input as ConnectorDefinitionInput);
  } catch (error) {
    if (error instanceof TributaryError && error.code === 'CONFIG_INVALID') return error.message;
    throw error;
  }
  throw new Error('expected CONFIG_INVALID');
}

describe('defineConnector', () => {
  it('returns a fully resolved definition with every default filled in', () => {
    const definition = defineConnector(valid());
    expect(definition.source.auth).toMatchObject({ clientAuth: 'basic', refreshSkewMs: 60_000 });
    expect(definition.source.rateLimit).toEqual({ requestsPerSecond: 10, maxConcurrency: 2 });
    expect(definition.source.timeouts).toEqual({ requestMs: 30_000, maxResponseBytes: 33_554_432 });
    expect(definition.source.retry.maxAttempts).toBe(6);
    expect(definition.source.circuitBreaker.resetTimeoutMs).toBe(30_000);
    const [workers, orgUnits] = definition.streams;
    expect(workers).toMatchObject({
      method: 'GET',
      mode: 'incremental',
      naturalKey: ['id'],
      lookbackMs: 300_000,
      schedule: { intervalMs: 300_000 },
      cursor: {
        field: 'lastModified',
        tieBreakerField: 'id',
        param: { name: 'updatedSince', format: 'iso8601', template: '{value}' },
      },
      pagination: { type: 'offset-limit', offsetParam: 'offset', limitParam: 'limit', startOffset: 0 },
    });
    expect(orgUnits).toMatchObject({
      mode: 'full-refresh',
      naturalKey: ['company', 'code'],
      cursor: undefined,
      recordSelector: '',
      pagination: { type: 'page-number', pageParam: 'page', pageSizeParam: 'page_size', startPage: 1 },
    });
  });

  it('accepts every auth and pagination style', () => {
    const auths = [
      { type: 'none' },
      {
        type: 'oauth2-refresh-token',
        tokenUrl: 'https://erp.example.com/token',
        clientId: { env: 'ID' },
        clientSecret: { env: 'SECRET' },
        refreshTokenFile: '/var/lib/tributary/erp-refresh-token',
      },
      { type: 'api-key', in: 'query', name: 'api_key', value: { env: 'KEY' } },
      { type: 'basic', username: { env: 'U' }, password: { file: '/run/secrets/p' } },
      { type: 'custom', sign: (request: unknown) => request, secrets: { hmac: { env: 'HMAC' } } },
    ];
    for (const auth of auths) {
      const input = valid();
      expect(() =>
        defineConnector({ ...input, source: { ...input.source, auth } } as ConnectorDefinitionInput),
      ).not.toThrow();
    }
    const paginations = [
      { type: 'none' },
      { type: 'cursor', tokenPath: 'next', tokenParam: 'cursor' },
      { type: 'link-header', pageSizeParam: 'per_page', pageSize: 100 },
      { type: 'odata', maxPageSize: 500 },
    ];
    for (const pagination of paginations) {
      const input = valid();
      const streams = [{ ...input.streams[1], pagination }] as ConnectorDefinitionInput['streams'];
      expect(defineConnector({ ...input, streams }).streams[0]?.pagination.type).toBe(pagination.type);
    }
  });

  it('refuses a secret written inline', () => {
    const input = valid();
    const message = problemsOf({
      ...input,
      source: { ...input.source, auth: { ...input.source.auth, clientSecret: 'hunter2-inline' } },
    });
    expect(message).toContain('connector "acme-hr-connector" is invalid');
    expect(message).toContain('source.auth.clientSecret');
    expect(message).toContain('never written inline');
    expect(message).not.toContain('hunter2-inline');
  });

  it('names the connector, the stream and the field, reporting every problem at once', () => {
    const input = valid();
    const message = problemsOf({
      ...input,
      streams: [
        { ...input.streams[0], pagination: { type: 'offset-limit', limit: 0 } },
        { ...input.streams[1], name: 'org_units', mode: 'incremental', path: 'no-slash' },
      ],
    });
    expect(message).toContain('stream "workers": pagination.limit');
    expect(message).toContain('stream "org_units": path');
    expect(message).toContain('stream "org_units": cursor: incremental mode needs a cursor');
  });

  it('checks cross-field rules', () => {
    const input = valid();
    const twice = problemsOf({ ...input, streams: [input.streams[0], input.streams[0]] });
    expect(twice).toContain('duplicate stream "workers"');
    const compositeNoTieBreaker = problemsOf({
      ...input,
      streams: [{ ...input.streams[1], cursor: { field: 'updated', param: { name: 'since' } } }],
    });
    expect(compositeNoTieBreaker).toContain('stream "org_units": cursor.tieBreakerField');
    const unknownPagination = problemsOf({
      ...input,
      streams: [{ ...input.streams[1], pagination: { type: 'magic' } }],
    });
    expect(unknownPagination).toContain('stream "org_units": pagination');
    const badTemplate = problemsOf({
      ...input,
      streams: [
        {
          ...input.streams[0],
          cursor: { field: 'x', param: { name: '$filter', template: 'no placeholder' } },
        },
      ],
    });
    expect(badTemplate).toContain('cursor.param.template');
    const typo = problemsOf({ ...input, streams: [{ ...input.streams[1], pagiantion: {} }] });
    expect(typo).toContain('stream "org_units"');
  });
});
