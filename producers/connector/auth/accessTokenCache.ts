import type { Clock } from '../clock.js';
import type { Secret } from '../secrets.js';

export interface AccessToken {
  value: Secret;
  /** Epoch ms after which the token is invalid; undefined when the server gave no lifetime. */
  expiresAt: number | undefined;
}

export interface AccessTokenCacheOptions {
  clock: Clock;
  /** Refresh this long before expiry so a token never expires in flight. @default 60000 */
  refreshSkewMs?: number;
  fetchToken: () => Promise<AccessToken>;
}

export interface AccessTokenCache {
  /** The current token, fetching a new one if missing or within the skew of expiry. */
  get(): Promise<AccessToken>;
  /**
   * Drops the cached token if it is still `rejected` (the value a 401 came back for). When 50
   * requests fail with the same old token, the first invalidation wins and the rest are no-ops,
   * so they share one refresh instead of causing 50.
   */
  invalidate(rejected?: string): void;
}

/**
 * Single-flight token cache: however many requests wait, at most one token request is in
 * flight; they all receive its result (or its error, after which the next get() tries again).
 */
export function createAccessTokenCache(options: AccessTokenCacheOptions): AccessTokenCache {
  const skew = options.refreshSkewMs ?? 60_000;
  let current: AccessToken | undefined;
  let inflight: Promise<AccessToken> | undefined;

  const fresh = (token: AccessToken): boolean =>
    token.expiresAt === undefined || options.clock.now() < token.expiresAt - skew;

  return {
    get() {
      if (current && fresh(current)) return Promise.resolve(current);
      if (inflight) return inflight;
      const request = options.fetchToken().then((token) => {
        current = token;
        return token;
      });
      const tracked = request.finally(() => {
        if (inflight === tracked) inflight = undefined;
      });
      inflight = tracked;
      return tracked;
    },
    invalidate(rejected) {
      if (!current) return;
      if (rejected === undefined || current.value.reveal() === rejected) current = undefined;
    },
  };
}
