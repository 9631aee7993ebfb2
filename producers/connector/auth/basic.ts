import type { HttpRequest } from '../http.js';
import type { Secret } from '../secrets.js';
import { type Authenticator, withHeader } from './authenticator.js';

export interface BasicAuthOptions {
  username: Secret;
  password: Secret;
}

/** RFC 7617 Basic auth; static credentials, so a 401 is final. */
export function createBasicAuthenticator(options: BasicAuthOptions): Authenticator {
  return {
    async apply(request: HttpRequest) {
      const pair = `${options.username.reveal()}:${options.password.reveal()}`;
      return withHeader(request, 'authorization', `Basic ${Buffer.from(pair, 'utf8').toString('base64')}`);
    },
    async onUnauthorized() {
      return false;
    },
  };
}
