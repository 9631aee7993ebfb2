import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createOAuth2RefreshTokenAuthenticator } from '../../../../producers/connector/auth/oauth2RefreshToken.js';
import { writeFileAtomic } from '../../../../producers/connector/auth/writeFileAtomic.js';
import { systemClock } from '../../../../producers/connector/clock.js';
import { createHttpClient } from '../../../../producers/connector/http.js';
import { Secret } from '../../../../producers/connector/secrets.js';
import { sendJson, startTestServer } from '../helpers/testServer.js';

async function tokenFile(content: string): Promise<{ dir: string; path: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'tributary-rt-'));
  const path = join(dir, 'refresh-token');
  await writeFile(path, content);
  return { dir, path };
}

/** A server that rotates refresh tokens: each one works exactly once. */
async function startRotatingServer() {
  let valid = 'rt-0';
  let generation = 0;
  const server = await startTestServer((_req, res, body) => {
    const form = new URLSearchParams(body);
    if (form.get('grant_type') !== 'refresh_token' || form.get('refresh_token') !== valid) {
      sendJson(res, 400, { error: 'invalid_grant' });
      return;
    }
    generation++;
    valid = `rt-${generation}`;
    sendJson(res, 200, { access_token: `at-${generation}`, expires_in: 3600, refresh_token: valid });
  });
  return server;
}

describe('OAuth2 refresh-token grant', () => {
  it('persists the rotated refresh token before using the new access token, and uses it next time', async () => {
    const server = await startRotatingServer();
    const { dir, path } = await tokenFile('rt-0\n');
    const make = () =>
      createOAuth2RefreshTokenAuthenticator({
        http: createHttpClient({ source: 'erp' }),
        clock: systemClock,
        tokenUrl: `${server.url}/token`,
        clientId: new Secret('id'),
        clientSecret: new Secret('secret'),
        refreshTokenFile: path,
      });
    const auth = make();
    const applied = await auth.apply({ method: 'GET', url: server.url, headers: {} });
    expect(applied.headers['authorization']).toBe('Bearer at-1');
    expect(await readFile(path, 'utf8')).toBe('rt-1\n');

    auth.invalidate();
    expect((await auth.apply({ method: 'GET', url: server.url, headers: {} })).headers['authorization']).toBe(
      'Bearer at-2',
    );
    expect(await readFile(path, 'utf8')).toBe('rt-2\n');

    // A restarted process reads the persisted token and carries on.
    const restarted = make();
    expect(
      (await restarted.apply({ method: 'GET', url: server.url, headers: {} })).headers['authorization'],
    ).toBe('Bearer at-3');
    expect((await readdir(dir)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('fails loudly (not retryable) when the rotated token cannot be persisted', async () => {
    const server = await startRotatingServer();
    const { path } = await tokenFile('rt-0');
    const auth = createOAuth2RefreshTokenAuthenticator({
      http: createHttpClient({ source: 'erp' }),
      clock: systemClock,
      tokenUrl: `${server.url}/token`,
      clientId: new Secret('id'),
      clientSecret: new Secret('secret'),
      refreshTokenFile: path,
      writeTextFile: async () => {
        throw new Error('disk full');
      },
    });
    await expect(auth.apply({ method: 'GET', url: server.url, headers: {} })).rejects.toMatchObject({
      code: 'AUTH_FAILED',
      retryable: false,
    });
  });

  it('reports an unreadable refresh token file naming the file', async () => {
    const auth = createOAuth2RefreshTokenAuthenticator({
      http: createHttpClient({ source: 'erp' }),
      clock: systemClock,
      tokenUrl: 'http://127.0.0.1:1/token',
      clientId: new Secret('id'),
      clientSecret: new Secret('secret'),
      refreshTokenFile: '/nonexistent/rt',
    });
    await expect(auth.apply({ method: 'GET', url: 'http://127.0.0.1:1/', headers: {} })).rejects.toThrow(
      /\/nonexistent\/rt cannot be read/,
    );
  });
});

describe('writeFileAtomic', () => {
  it('replaces content, leaves no temp file and keeps the file private', async () => {
    const { dir, path } = await tokenFile('old');
    await writeFileAtomic(path, 'new');
    expect(await readFile(path, 'utf8')).toBe('new');
    expect(await readdir(dir)).toEqual(['refresh-token']);
    const { stat } = await import('node:fs/promises');
    expect((await stat(path)).mode & 0o777).toBe(0o600);
  });

  it('fails (no partial file) when the directory does not exist', async () => {
    await expect(writeFileAtomic('/nonexistent-dir/x', 'data')).rejects.toThrow();
  });
});
