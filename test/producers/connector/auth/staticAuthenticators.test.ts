import { describe, expect, it } from 'vitest';
import { createApiKeyAuthenticator } from '../../../../producers/connector/auth/apiKey.js';
import { createBasicAuthenticator } from '../../../../producers/connector/auth/basic.js';
import {
  createAuthenticator,
  credentialQueryParams,
} from '../../../../producers/connector/auth/createAuthenticator.js';
import { createCustomSigningAuthenticator } from '../../../../producers/connector/auth/customSigning.js';
import { sendWithAuth } from '../../../../producers/connector/auth/sendWithAuth.js';
import { FakeClock } from '../../../../producers/connector/clock.js';
import { createHttpClient, type HttpRequest } from '../../../../producers/connector/http.js';
import { Secret } from '../../../../producers/connector/secrets.js';
import { sendJson, startTestServer } from '../helpers/testServer.js';

const KEY = 'canary-api-key-0e4f';
const base: HttpRequest = {
  method: 'GET',
  url: 'https://api.example.com/v1/workers?page=2',
  headers: { accept: 'x' },
};

describe('API key', () => {
  it('adds a header without touching the original request', async () => {
    const auth = createApiKeyAuthenticator({ in: 'header', name: 'x-api-key', value: new Secret(KEY) });
    const applied = await auth.apply(base);
    expect(applied.headers).toEqual({ accept: 'x', 'x-api-key': KEY });
    expect(base.headers).toEqual({ accept: 'x' });
    expect(await auth.onUnauthorized(applied)).toBe(false);
  });

  it('adds a query parameter, and errors redact it', async () => {
    const server = await startTestServer((_req, res) => sendJson(res, 401, {}));
    const auth = createApiKeyAuthenticator({ in: 'query', name: 'code', value: new Secret(KEY) });
    const applied = await auth.apply(base);
    expect(new URL(applied.url).searchParams.get('code')).toBe(KEY);
    expect(new URL(applied.url).searchParams.get('page')).toBe('2');

    const config = {
      type: 'api-key' as const,
      in: 'query' as const,
      name: 'code',
      value: { env: 'K' },
      prefix: '',
    };
    const http = createHttpClient({ source: 'acme', redactQueryParams: credentialQueryParams(config) });
    const error = await sendWithAuth(
      http,
      auth,
      { ...base, url: `${server.url}/workers` },
      { stream: 'workers' },
    ).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'AUTH_FAILED', retryable: false });
    expect(
      JSON.stringify({ m: (error as Error).message, d: (error as { details: unknown }).details }),
    ).not.toContain(KEY);
    expect(server.requests).toHaveLength(1); // a static key is not retried on 401
  });
});

describe('Basic', () => {
  it('encodes username:password', async () => {
    const auth = createBasicAuthenticator({ username: new Secret('svc'), password: new Secret('pa:ss') });
    const applied = await auth.apply(base);
    expect(applied.headers['authorization']).toBe(`Basic ${Buffer.from('svc:pa:ss').toString('base64')}`);
  });
});

describe('custom signing', () => {
  it('gives the hook a copy, the clock and the named secrets', async () => {
    const clock = new FakeClock(Date.UTC(2026, 10, 27));
    const auth = createCustomSigningAuthenticator({
      clock,
      secrets: { hmacKey: new Secret(KEY) },
      sign: (request, context) => {
        request.headers['x-signature'] =
          `${context.secrets['hmacKey']?.reveal().length}:${context.clock.now()}`;
        return request;
      },
    });
    const applied = await auth.apply(base);
    expect(applied.headers['x-signature']).toBe(`${KEY.length}:${Date.UTC(2026, 10, 27)}`);
    expect(base.headers).toEqual({ accept: 'x' });
  });
});

describe('createAuthenticator', () => {
  it('reads secrets by reference and builds the declared scheme', async () => {
    const clock = new FakeClock(0);
    const http = createHttpClient({ source: 'acme', clock });
    const auth = await createAuthenticator(
      { type: 'api-key', in: 'header', name: 'authorization', value: { env: 'ACME_KEY' }, prefix: 'Token ' },
      { http, clock, secrets: { env: { ACME_KEY: KEY } } },
    );
    expect((await auth.apply(base)).headers['authorization']).toBe(`Token ${KEY}`);
    await expect(
      createAuthenticator(
        { type: 'basic', username: { env: 'U' }, password: { env: 'MISSING' } },
        { http, clock, secrets: { env: { U: 'u' } } },
      ),
    ).rejects.toThrow(/MISSING is not set/);
  });
});
