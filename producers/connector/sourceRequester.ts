import { errorMessage } from '../../platform/errors.js';
import type { Authenticator } from './auth/authenticator.js';
import { sendWithAuth } from './auth/sendWithAuth.js';
import type { CircuitBreakers } from './circuitBreaker.js';
import type { Clock } from './clock.js';
import { type HttpClient, HttpError, type HttpRequest, type HttpResponse } from './http.js';
import type { ConnectorMetrics } from './metrics.js';
import type { RateLimiter } from './rateLimiter.js';
import { type RetryPolicy, retry } from './retry.js';

export interface SourceRequesterDeps {
  http: HttpClient;
  authenticator: Authenticator;
  rateLimiter: RateLimiter;
  circuitBreakers: CircuitBreakers;
  retryPolicy: RetryPolicy;
  clock: Clock;
  metrics?: ConnectorMetrics;
  /** @default Math.random */
  random?: () => number;
}

export interface SourceRequest {
  stream: string;
  /** Circuit breaker key: the stream's path template, never a URL with ids or tokens. */
  endpoint: string;
  request: HttpRequest;
  signal?: AbortSignal;
}

export interface SourceRequester {
  send(request: SourceRequest): Promise<HttpResponse>;
}

/**
 * The request path every connector uses, outermost first:
 *   retry (backoff with full jitter, Retry-After)
 *     → circuit breaker for the endpoint (waits while open; waiting costs no attempt)
 *       → rate limiter (token + concurrency slot; a 429 slows the whole source down)
 *         → auth (one refresh-and-retry on 401) → HTTP.
 * The circuit sits outside the limiter so an open circuit does not spend tokens.
 */
export function createSourceRequester(deps: SourceRequesterDeps): SourceRequester {
  const source = deps.http.source;
  return {
    send({ stream, endpoint, request, signal }) {
      const breaker = deps.circuitBreakers.forEndpoint(endpoint);
      const attempt = (): Promise<HttpResponse> =>
        breaker.executeWhenClosed(
          () =>
            deps.rateLimiter.run(async () => {
              try {
                return await sendWithAuth(deps.http, deps.authenticator, request, {
                  stream,
                  ...(signal ? { signal } : {}),
                });
              } catch (error) {
                if (error instanceof HttpError && error.status === 429)
                  deps.rateLimiter.onRateLimited(error.retryAfterMs);
                throw error;
              }
            }, signal),
          signal,
        );
      return retry(attempt, {
        policy: deps.retryPolicy,
        clock: deps.clock,
        ...(deps.random ? { random: deps.random } : {}),
        ...(signal ? { signal } : {}),
        description: `${source}/${stream} ${request.method.toUpperCase()} ${endpoint}`,
        onRetry: ({ error }) => {
          const reason =
            error instanceof HttpError ? String(error.status ?? error.details.reason) : retryReason(error);
          deps.metrics?.retries.inc({ source, stream, reason });
        },
      });
    },
  };
}

function retryReason(error: unknown): string {
  if (error && typeof error === 'object' && 'code' in error && typeof error.code === 'string')
    return error.code;
  return errorMessage(error).length > 0 ? 'error' : 'unknown';
}
