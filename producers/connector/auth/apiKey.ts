import type { HttpRequest } from '../http.js';
import type { Secret } from '../secrets.js';
import { type Authenticator, withHeader } from './authenticator.js';

export interface ApiKeyOptions {
  in: 'header' | 'query';
  /** Header or query parameter name, e.g. 'x-api-key' or 'api_key'. */
  name: string;
  value: Secret;
  /** Prepended to the header value, e.g. 'Token '. @default '' */
  prefix?: string;
}

/** A static key: a 401 means the key is wrong or revoked, so retrying never helps. */
export function createApiKeyAuthenticator(options: ApiKeyOptions): Authenticator {
  return {
    async apply(request: HttpRequest) {
      if (options.in === 'header') {
        return withHeader(request, options.name, `${options.prefix ?? ''}${options.value.reveal()}`);
      }
      const url = new URL(request.url);
      url.searchParams.set(options.name, options.value.reveal());
      return { ...request, url: url.toString() };
    },
    async onUnauthorized() {
      return false;
    },
  };
}
