import type { Clock } from '../clock.js';
import type { HttpRequest } from '../http.js';
import type { Secret } from '../secrets.js';
import type { Authenticator } from './authenticator.js';

export interface SigningContext {
  clock: Clock;
  /** The secrets the connector declared for signing, by the names it gave them. */
  secrets: Readonly<Record<string, Secret>>;
}

/**
 * Signs a copy of the request (HMAC headers, NetSuite token-based auth, AWS SigV4 ...). Must
 * not mutate its input: the same request may be signed again for a retry with a fresh nonce.
 */
export type SignRequest = (
  request: HttpRequest,
  context: SigningContext,
) => Promise<HttpRequest> | HttpRequest;

export interface CustomSigningOptions {
  sign: SignRequest;
  clock: Clock;
  secrets?: Readonly<Record<string, Secret>>;
  /**
   * Called on a 401; return true when re-signing may help (e.g. the hook refreshed a session).
   * @default () => false
   */
  onUnauthorized?: (rejected: HttpRequest) => Promise<boolean> | boolean;
}

export function createCustomSigningAuthenticator(options: CustomSigningOptions): Authenticator {
  const context: SigningContext = { clock: options.clock, secrets: options.secrets ?? {} };
  return {
    async apply(request: HttpRequest) {
      return options.sign({ ...request, headers: { ...request.headers } }, context);
    },
    async onUnauthorized(rejected: HttpRequest) {
      return options.onUnauthorized ? options.onUnauthorized(rejected) : false;
    },
  };
}
