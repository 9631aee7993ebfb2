import type { Clock } from '../clock.js';
import type { HttpClient, HttpRequest } from '../http.js';
import type { ConnectorMetrics } from '../metrics.js';
import type { Secret } from '../secrets.js';
import { type AccessTokenCache, createAccessTokenCache } from './accessTokenCache.js';
import { type Authenticator, headerOf, withHeader } from './authenticator.js';
import { requestOAuth2Token } from './oauth2TokenRequest.js';

export interface OAuth2ClientCredentialsOptions {
  /** HTTP client used for the token endpoint (its source name appears in errors). */
  http: HttpClient;
  clock: Clock;
  tokenUrl: string;
  clientId: Secret;
  clientSecret: Secret;
  scope?: string;
  /** @default 'basic' */
  clientAuth?: 'basic' | 'body';
  /** Refresh this long before expiry. @default 60000 */
  refreshSkewMs?: number;
  metrics?: ConnectorMetrics;
}

export interface OAuth2Authenticator extends Authenticator {
  /** Forgets the cached access token; the next apply() fetches a new one. */
  invalidate(): void;
}

export function createOAuth2ClientCredentialsAuthenticator(
  options: OAuth2ClientCredentialsOptions,
): OAuth2Authenticator {
  const cache = createAccessTokenCache({
    clock: options.clock,
    ...(options.refreshSkewMs === undefined ? {} : { refreshSkewMs: options.refreshSkewMs }),
    fetchToken: async () => {
      const form: Record<string, string> = { grant_type: 'client_credentials' };
      if (options.scope) form['scope'] = options.scope;
      try {
        const result = await requestOAuth2Token({
          http: options.http,
          clock: options.clock,
          tokenUrl: options.tokenUrl,
          form,
          clientId: options.clientId,
          clientSecret: options.clientSecret,
          clientAuth: options.clientAuth ?? 'basic',
        });
        options.metrics?.tokenRefreshes.inc({ source: options.http.source, outcome: 'success' });
        return { value: result.accessToken, expiresAt: result.expiresAt };
      } catch (error) {
        options.metrics?.tokenRefreshes.inc({ source: options.http.source, outcome: 'failure' });
        throw error;
      }
    },
  });
  return bearerAuthenticator(cache);
}

/** Shared by the OAuth2 grants: Bearer header from a token cache, invalidate-on-401. */
export function bearerAuthenticator(cache: AccessTokenCache): OAuth2Authenticator {
  return {
    async apply(request: HttpRequest) {
      const token = await cache.get();
      return withHeader(request, 'authorization', `Bearer ${token.value.reveal()}`);
    },
    async onUnauthorized(rejected: HttpRequest) {
      const sent = headerOf(rejected, 'authorization');
      cache.invalidate(sent?.startsWith('Bearer ') ? sent.slice('Bearer '.length) : undefined);
      return true;
    },
    invalidate() {
      cache.invalidate();
    },
  };
}
