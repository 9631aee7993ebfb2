import { Writable } from 'node:stream';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { TributaryError } from '../../../../platform/errors.js';
import { createLogger } from '../../../../platform/logger.js';
import { createOAuth2ClientCredentialsAuthenticator } from '../../../../producers/connector/auth/oauth2ClientCredentials.js';
import { sendWithAuth } from '../../../../producers/connector/auth/sendWithAuth.js';
import { FakeClock, systemClock } from '../../../../producers/connector/clock.js';
import { createHttpClient } from '../../../../producers/connector/http.js';
import { Secret } from '../../../../producers/connector/secrets.js';
import { sendJson, startTestServer } from '../helpers/testServer.js';

const CLIENT_SECRET = 'canary-client-secret-5c2d';

function basicOf(header: string | undefined): string {
  return Buffer.from((header ?? '').replace(/^Basic /, ''), 'base64').toString('utf8');
}

/** Token endpoint issuing tok-1, tok-2, ... after `delayMs`; resource accepts only the newest token. */
async function startOAuthServer(
  options: { delayMs?: number; expiresIn?: number; tokenStatus?: number } = {},
) {
  let issued = 0;
  let resourceCalls = 0;
  const server = await startTestServer(async (req, res, body) => {
    if (req.url === '/token') {
      if (options.tokenStatus) {
        sendJson(res, options.tokenStatus, { error: 'invalid_client', echoed: body });
        return;
      }
      if (options.delayMs) await new Promise((resolve) => setTimeout(resolve, options.delayMs));
      issued++;
      sendJson(res, 200, {
        access_token: `tok-${issued}`,
        token_type: 'Bearer',
        expires_in: options.expiresIn ?? 3600,
      });
      return;
    }
    resourceCalls++;
    if (req.headers.authorization === `Bearer tok-${issued}`) sendJson(res, 200, { ok: true });
    else sendJson(res, 401, { error: 'invalid_token' });
  });
  return {
    server,
    tokenRequests: () => server.requests.filter((r) => r.url === '/token'),
    resourceCalls: () => resourceCalls,
    revoke: () => {
      issued++; // the server moves on: the cached token is now stale
    },
  };
}

function authenticatorFor(url: string, clock = systemClock as FakeClock | typeof systemClock) {
  const http = createHttpClient({ source: 'acme-hr', clock });
  const auth = createOAuth2ClientCredentialsAuthenticator({
    http,
    clock,
    tokenUrl: `${url}/token`,
    clientId: new Secret('client-1'),
    clientSecret: new Secret(CLIENT_SECRET),
    scope: 'workers.read',
  });
  return { http, auth };
}

describe('OAuth2 client credentials', () => {
  it('sends the grant with HTTP Basic client auth and caches the token', async () => {
    const oauth = await startOAuthServer();
    const { auth } = authenticatorFor(oauth.server.url);
    const first = await auth.apply({ method: 'GET', url: `${oauth.server.url}/x`, headers: {} });
    const second = await auth.apply({
      method: 'GET',
      url: `${oauth.server.url}/y`,
      headers: { accept: 'x' },
    });
    expect(first.headers['authorization']).toBe('Bearer tok-1');
    expect(second.headers).toEqual({ accept: 'x', authorization: 'Bearer tok-1' });
    const [token] = oauth.tokenRequests();
    expect(oauth.tokenRequests()).toHaveLength(1);
    expect(basicOf(token?.headers.authorization)).toBe(`client-1:${CLIENT_SECRET}`);
    expect(new URLSearchParams(token?.body)).toEqual(
      new URLSearchParams({ grant_type: 'client_credentials', scope: 'workers.read' }),
    );
  });

  it('single-flight: 50 concurrent waiters cause exactly one token request', async () => {
    const oauth = await startOAuthServer({ delayMs: 50 });
    const { auth } = authenticatorFor(oauth.server.url);
    const applied = await Promise.all(
      Array.from({ length: 50 }, () =>
        auth.apply({ method: 'GET', url: `${oauth.server.url}/x`, headers: {} }),
      ),
    );
    expect(oauth.tokenRequests()).toHaveLength(1);
    expect(new Set(applied.map((r) => r.headers['authorization']))).toEqual(new Set(['Bearer tok-1']));
  });

  it('refreshes before expiry, by the skew (fake clock)', async () => {
    const clock = new FakeClock(0);
    const oauth = await startOAuthServer({ expiresIn: 3_600 });
    const { auth } = authenticatorFor(oauth.server.url, clock);
    const bearer = async () =>
      (await auth.apply({ method: 'GET', url: oauth.server.url, headers: {} })).headers['authorization'];
    expect(await bearer()).toBe('Bearer tok-1');
    await clock.advance(3_539_000); // 61 s before expiry: still fresh with the default 60 s skew
    expect(await bearer()).toBe('Bearer tok-1');
    await clock.advance(2_000); // 59 s before expiry: refresh
    expect(await bearer()).toBe('Bearer tok-2');
    expect(oauth.tokenRequests()).toHaveLength(2);
  });

  it('on 401: exactly one refresh and one retry', async () => {
    const oauth = await startOAuthServer();
    const { http, auth } = authenticatorFor(oauth.server.url);
    await auth.apply({ method: 'GET', url: oauth.server.url, headers: {} }); // caches tok-1
    oauth.revoke();
    const response = await sendWithAuth(
      http,
      auth,
      { method: 'GET', url: `${oauth.server.url}/workers`, headers: {} },
      {
        stream: 'workers',
      },
    );
    expect(response.status).toBe(200);
    expect(oauth.tokenRequests()).toHaveLength(2);
    expect(oauth.resourceCalls()).toBe(2);
  });

  it('on 401 for 50 concurrent requests with the same stale token: still one refresh', async () => {
    const oauth = await startOAuthServer({ delayMs: 20 });
    const { http, auth } = authenticatorFor(oauth.server.url);
    await auth.apply({ method: 'GET', url: oauth.server.url, headers: {} });
    oauth.revoke();
    const responses = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        sendWithAuth(
          http,
          auth,
          { method: 'GET', url: `${oauth.server.url}/w/${i}`, headers: {} },
          { stream: 'workers' },
        ),
      ),
    );
    expect(responses.every((r) => r.status === 200)).toBe(true);
    expect(oauth.tokenRequests()).toHaveLength(2);
    expect(oauth.resourceCalls()).toBe(100);
  });

  it('a second 401 after the refresh is a non-retryable AUTH_FAILED, after exactly two calls', async () => {
    const server = await startTestServer(async (req, res) => {
      if (req.url === '/token') sendJson(res, 200, { access_token: 'fresh-but-useless', expires_in: 3600 });
      else sendJson(res, 401, {});
    });
    const { http, auth } = authenticatorFor(server.url);
    const error = await sendWithAuth(
      http,
      auth,
      { method: 'GET', url: `${server.url}/workers`, headers: {} },
      {
        stream: 'workers',
      },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TributaryError);
    expect(error).toMatchObject({ code: 'AUTH_FAILED', retryable: false });
    expect(server.requests.filter((r) => r.url === '/workers')).toHaveLength(2);
  });

  it('token endpoint failures: 4xx not retryable, 5xx retryable; a failure is not cached', async () => {
    const rejected = await startOAuthServer({ tokenStatus: 401 });
    const failing = authenticatorFor(rejected.server.url).auth;
    await expect(
      failing.apply({ method: 'GET', url: rejected.server.url, headers: {} }),
    ).rejects.toMatchObject({
      code: 'AUTH_FAILED',
      retryable: false,
    });
    await expect(failing.apply({ method: 'GET', url: rejected.server.url, headers: {} })).rejects.toThrow();
    expect(rejected.tokenRequests()).toHaveLength(2);

    const down = await startOAuthServer({ tokenStatus: 503 });
    await expect(
      authenticatorFor(down.server.url).auth.apply({ method: 'GET', url: down.server.url, headers: {} }),
    ).rejects.toMatchObject({ code: 'AUTH_FAILED', retryable: true });
  });

  it('the client secret never appears in errors or log lines', async () => {
    const rejected = await startOAuthServer({ tokenStatus: 400 });
    const { auth } = authenticatorFor(rejected.server.url);
    const error = await auth
      .apply({ method: 'GET', url: rejected.server.url, headers: {} })
      .catch((e: unknown) => e);
    const lines: string[] = [];
    const log = createLogger({
      level: 'debug',
      destination: new Writable({
        write(chunk: Buffer, _enc, done) {
          lines.push(chunk.toString());
          done();
        },
      }),
    });
    log.error({ err: error, auth }, 'token request failed');
    expect(lines.join('')).toContain('token request failed');
    for (const text of [
      lines.join(''),
      inspect(error, { depth: 10 }),
      inspect(auth, { depth: 10 }),
      String(error),
    ]) {
      expect(text).not.toContain(CLIENT_SECRET);
    }
  });
});
