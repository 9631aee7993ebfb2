import { readFile } from 'node:fs/promises';
import { TributaryError } from '../../../platform/errors.js';
import type { Clock } from '../clock.js';
import type { HttpClient } from '../http.js';
import type { ConnectorMetrics } from '../metrics.js';
import { Secret } from '../secrets.js';
import { createAccessTokenCache } from './accessTokenCache.js';
import { bearerAuthenticator, type OAuth2Authenticator } from './oauth2ClientCredentials.js';
import { requestOAuth2Token } from './oauth2TokenRequest.js';
import { writeFileAtomic } from './writeFileAtomic.js';

export interface OAuth2RefreshTokenOptions {
  http: HttpClient;
  clock: Clock;
  tokenUrl: string;
  clientId: Secret;
  clientSecret: Secret;
  /** File holding the current refresh token; rewritten atomically when the server rotates it. */
  refreshTokenFile: string;
  scope?: string;
  /** @default 'basic' */
  clientAuth?: 'basic' | 'body';
  /** @default 60000 */
  refreshSkewMs?: number;
  metrics?: ConnectorMetrics;
  /** @default fs readFile (utf8) */
  readTextFile?: (path: string) => Promise<string>;
  /** @default writeFileAtomic (temp file + fsync + rename + directory fsync) */
  writeTextFile?: (path: string, content: string) => Promise<void>;
}

/**
 * OAuth2 refresh-token grant. Servers that rotate refresh tokens (Xero, QuickBooks, many SAP
 * setups) invalidate the old one as soon as they answer, so the new one is persisted before
 * the access token is used: a crash after that point restarts with a working token. If the
 * write fails the token is still kept in memory (the old one is already dead) and the failure
 * is raised as a non-retryable AUTH_FAILED so an operator sees it before the next restart.
 */
export function createOAuth2RefreshTokenAuthenticator(
  options: OAuth2RefreshTokenOptions,
): OAuth2Authenticator {
  const read = options.readTextFile ?? ((path: string) => readFile(path, 'utf8'));
  const write = options.writeTextFile ?? writeFileAtomic;
  let refreshToken: Secret | undefined;

  const loadRefreshToken = async (): Promise<Secret> => {
    if (refreshToken) return refreshToken;
    let text: string;
    try {
      text = await read(options.refreshTokenFile);
    } catch (error) {
      throw new TributaryError(
        'AUTH_FAILED',
        `refresh token file ${options.refreshTokenFile} cannot be read`,
        {
          cause: error,
          details: { file: options.refreshTokenFile },
        },
      );
    }
    const value = text.trim();
    if (!value) {
      throw new TributaryError('AUTH_FAILED', `refresh token file ${options.refreshTokenFile} is empty`, {
        details: { file: options.refreshTokenFile },
      });
    }
    refreshToken = new Secret(value, `file:${options.refreshTokenFile}`);
    return refreshToken;
  };

  const cache = createAccessTokenCache({
    clock: options.clock,
    ...(options.refreshSkewMs === undefined ? {} : { refreshSkewMs: options.refreshSkewMs }),
    fetchToken: async () => {
      const current = await loadRefreshToken();
      const form: Record<string, string> = { grant_type: 'refresh_token', refresh_token: current.reveal() };
      if (options.scope) form['scope'] = options.scope;
      let result: Awaited<ReturnType<typeof requestOAuth2Token>>;
      try {
        result = await requestOAuth2Token({
          http: options.http,
          clock: options.clock,
          tokenUrl: options.tokenUrl,
          form,
          clientId: options.clientId,
          clientSecret: options.clientSecret,
          clientAuth: options.clientAuth ?? 'basic',
        });
      } catch (error) {
        options.metrics?.tokenRefreshes.inc({ source: options.http.source, outcome: 'failure' });
        throw error;
      }
      options.metrics?.tokenRefreshes.inc({ source: options.http.source, outcome: 'success' });
      const rotated = result.refreshToken;
      if (rotated && rotated.reveal() !== current.reveal()) {
        refreshToken = rotated;
        try {
          await write(options.refreshTokenFile, `${rotated.reveal()}\n`);
        } catch (error) {
          throw new TributaryError(
            'AUTH_FAILED',
            `rotated refresh token could not be persisted to ${options.refreshTokenFile}`,
            { cause: error, retryable: false, details: { file: options.refreshTokenFile } },
          );
        }
      }
      return { value: result.accessToken, expiresAt: result.expiresAt };
    },
  });
  return bearerAuthenticator(cache);
}
