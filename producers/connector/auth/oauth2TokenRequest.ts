import { z } from 'zod/v4';
import { TributaryError } from '../../../platform/errors.js';
import type { Clock } from '../clock.js';
import { type HttpClient, HttpError } from '../http.js';
import { Secret } from '../secrets.js';

/** RFC 6749 §5.1 token response; expires_in arrives as a string from some servers. */
const tokenResponseSchema = z.object({
  access_token: z.string().min(1),
  token_type: z.string().optional(),
  expires_in: z.union([z.number(), z.string().regex(/^\d+$/).transform(Number)]).optional(),
  refresh_token: z.string().min(1).optional(),
  scope: z.string().optional(),
});

export interface OAuth2TokenRequest {
  http: HttpClient;
  clock: Clock;
  tokenUrl: string;
  /** Grant parameters, e.g. { grant_type: 'client_credentials', scope }. */
  form: Record<string, string>;
  clientId: Secret;
  clientSecret: Secret;
  /**
   * RFC 6749 §2.3.1: HTTP Basic (recommended, the default) or credentials in the form body
   * (some servers, e.g. older Workday tenants, only accept this).
   */
  clientAuth: 'basic' | 'body';
  signal?: AbortSignal;
}

export interface OAuth2TokenResult {
  accessToken: Secret;
  expiresAt: number | undefined;
  /** Present when the server rotated the refresh token. */
  refreshToken: Secret | undefined;
}

/**
 * POSTs to a token endpoint. Failures become AUTH_FAILED with the HTTP error as cause: 4xx
 * (bad credentials, revoked grant) are not retryable, transport errors and 5xx are. Neither the
 * request body nor the response body appears in the error: both may hold secrets.
 */
export async function requestOAuth2Token(request: OAuth2TokenRequest): Promise<OAuth2TokenResult> {
  const form = new URLSearchParams(request.form);
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  if (request.clientAuth === 'basic') {
    // RFC 6749 §2.3.1: id and secret are form-urlencoded before base64.
    const pair = `${encodeURIComponent(request.clientId.reveal())}:${encodeURIComponent(request.clientSecret.reveal())}`;
    headers['authorization'] = `Basic ${Buffer.from(pair).toString('base64')}`;
  } else {
    form.set('client_id', request.clientId.reveal());
    form.set('client_secret', request.clientSecret.reveal());
  }
  const grant = request.form['grant_type'] ?? 'unknown';
  const requestedAt = request.clock.now();
  let body: unknown;
  try {
    const response = await request.http.request(
      { method: 'POST', url: request.tokenUrl, headers, body: form.toString() },
      { stream: 'oauth2-token', ...(request.signal ? { signal: request.signal } : {}) },
    );
    body = response.json();
  } catch (error) {
    if (error instanceof HttpError) {
      const status = error.status === undefined ? error.details.reason : `HTTP ${error.status}`;
      throw new TributaryError(
        'AUTH_FAILED',
        `${request.http.source}: ${grant} token request failed (${status})`,
        {
          cause: error,
          retryable: error.retryable,
          details: { source: request.http.source, grant, status: error.status },
        },
      );
    }
    throw error;
  }
  const parsed = tokenResponseSchema.safeParse(body);
  if (!parsed.success) {
    throw new TributaryError('AUTH_FAILED', `${request.http.source}: ${grant} token response is malformed`, {
      retryable: false,
      details: {
        source: request.http.source,
        grant,
        issues: parsed.error.issues.map((i) => i.path.join('.')),
      },
    });
  }
  const token = parsed.data;
  return {
    accessToken: new Secret(token.access_token, `oauth2:${grant}`),
    // Measured from when we asked, not when the answer arrived: errs on the early side.
    expiresAt: token.expires_in === undefined ? undefined : requestedAt + token.expires_in * 1000,
    refreshToken:
      token.refresh_token === undefined ? undefined : new Secret(token.refresh_token, 'oauth2:refresh'),
  };
}
