import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { z } from 'zod/v4';
import type { JsonResponse } from './httpKit.js';

/** The auth flows a simulator can require on its data endpoints. */
export const oauth2AuthSchema = z
  .object({
    kind: z.literal('oauth2'),
    /** @default 'tributary-client' */
    clientId: z.string().min(1).default('tributary-client'),
    /** @default 'tributary-secret' */
    clientSecret: z.string().min(1).default('tributary-secret'),
    /** Lifetime of issued access tokens; short values let a token expire mid-sync. @default 3600 */
    tokenTtlSeconds: z.number().int().min(1).max(86_400).default(3600),
  })
  .strict();

export const apiKeyAuthSchema = z
  .object({
    kind: z.literal('apiKey'),
    /** Header carrying the key (case-insensitive). @default 'x-api-key' */
    header: z
      .string()
      .min(1)
      .default('x-api-key')
      .transform((value) => value.toLowerCase()),
    /** @default 'tributary-api-key' */
    key: z.string().min(1).default('tributary-api-key'),
  })
  .strict();

export const basicAuthSchema = z
  .object({
    kind: z.literal('basic'),
    /** @default 'tributary' */
    username: z.string().min(1).default('tributary'),
    /** @default 'tributary-password' */
    password: z.string().min(1).default('tributary-password'),
  })
  .strict();

export type Oauth2Auth = z.output<typeof oauth2AuthSchema>;
export type ApiKeyAuth = z.output<typeof apiKeyAuthSchema>;
export type BasicAuth = z.output<typeof basicAuthSchema>;
export type AuthOptions = Oauth2Auth | ApiKeyAuth | BasicAuth;

export type AuthResult =
  | { readonly ok: true; readonly bearer: string | undefined }
  | { readonly ok: false; readonly response: JsonResponse };

export interface AuthStats {
  tokensIssued: number;
  tokenRequestsRejected: number;
  rejected: number;
  expiredTokensRejected: number;
}

function equal(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

function decodeBasic(header: string | undefined): { user: string; password: string } | undefined {
  if (header === undefined || !/^basic /i.test(header)) return undefined;
  const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

function unauthorizedResponse(error: string, description: string, challenge: string): JsonResponse {
  return {
    status: 401,
    body: { error, error_description: description },
    headers: { 'www-authenticate': challenge },
  };
}

function unauthorized(error: string, description: string, challenge: string): AuthResult {
  return { ok: false, response: unauthorizedResponse(error, description, challenge) };
}

const expiredChallenge = 'Bearer error="invalid_token", error_description="The access token expired"';

/**
 * Checks credentials on data requests and, for OAuth2, issues client-credentials tokens with a
 * TTL measured on the injected clock (so tests can expire tokens without waiting).
 */
export class SimulatorAuth {
  private readonly tokens = new Map<string, number>();
  readonly stats: AuthStats = {
    tokensIssued: 0,
    tokenRequestsRejected: 0,
    rejected: 0,
    expiredTokensRejected: 0,
  };

  constructor(
    readonly options: AuthOptions,
    private readonly clock: () => number,
  ) {}

  /** RFC 6749 §4.4 token request: form body, client credentials in the body or a Basic header. */
  issueToken(form: URLSearchParams, authorization: string | undefined): JsonResponse {
    if (this.options.kind !== 'oauth2') {
      return { status: 404, body: { error: 'not_found', error_description: 'OAuth2 is not enabled' } };
    }
    const reject = (status: number, error: string, description: string): JsonResponse => {
      this.stats.tokenRequestsRejected++;
      return { status, body: { error, error_description: description } };
    };
    if (form.get('grant_type') !== 'client_credentials') {
      return reject(400, 'unsupported_grant_type', 'grant_type must be client_credentials');
    }
    const basic = decodeBasic(authorization);
    const clientId = basic?.user ?? form.get('client_id') ?? '';
    const clientSecret = basic?.password ?? form.get('client_secret') ?? '';
    if (!equal(clientId, this.options.clientId) || !equal(clientSecret, this.options.clientSecret)) {
      return reject(401, 'invalid_client', 'client authentication failed');
    }
    const now = this.clock();
    for (const [token, expiresAt] of this.tokens) if (expiresAt <= now) this.tokens.delete(token);
    const token = randomBytes(24).toString('base64url');
    this.tokens.set(token, now + this.options.tokenTtlSeconds * 1000);
    this.stats.tokensIssued++;
    return {
      status: 200,
      body: {
        access_token: token,
        token_type: 'Bearer',
        expires_in: this.options.tokenTtlSeconds,
        scope: 'read',
      },
      headers: { 'cache-control': 'no-store' },
    };
  }

  check(req: IncomingMessage): AuthResult {
    const result = this.evaluate(req);
    if (!result.ok) this.stats.rejected++;
    return result;
  }

  private evaluate(req: IncomingMessage): AuthResult {
    const options = this.options;
    switch (options.kind) {
      case 'oauth2': {
        const header = req.headers.authorization;
        if (header === undefined || !/^bearer /i.test(header)) {
          return unauthorized('invalid_request', 'missing bearer token', 'Bearer realm="simulator"');
        }
        const token = header.slice(7).trim();
        const expiresAt = this.tokens.get(token);
        if (expiresAt === undefined) {
          return unauthorized('invalid_token', 'unknown access token', 'Bearer error="invalid_token"');
        }
        if (expiresAt <= this.clock()) {
          this.stats.expiredTokensRejected++;
          return unauthorized('invalid_token', 'the access token expired', expiredChallenge);
        }
        return { ok: true, bearer: token };
      }
      case 'apiKey': {
        const value = req.headers[options.header];
        const key = Array.isArray(value) ? value[0] : value;
        if (key === undefined || !equal(key, options.key)) {
          return unauthorized('invalid_api_key', `missing or wrong ${options.header} header`, 'ApiKey');
        }
        return { ok: true, bearer: undefined };
      }
      case 'basic': {
        const credentials = decodeBasic(req.headers.authorization);
        if (
          credentials === undefined ||
          !equal(credentials.user, options.username) ||
          !equal(credentials.password, options.password)
        ) {
          return unauthorized(
            'invalid_credentials',
            'basic authentication failed',
            'Basic realm="simulator"',
          );
        }
        return { ok: true, bearer: undefined };
      }
    }
  }

  /** Makes a token expire now (the `tokenExpiry` fault) and returns the 401 the client sees. */
  expire(token: string): JsonResponse {
    this.tokens.set(token, this.clock());
    this.stats.expiredTokensRejected++;
    this.stats.rejected++;
    return unauthorizedResponse('invalid_token', 'the access token expired', expiredChallenge);
  }
}
