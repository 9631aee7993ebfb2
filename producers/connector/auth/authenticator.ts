import type { HttpRequest } from '../http.js';

/**
 * What every auth scheme offers the request path: decorate a request, and react to a 401.
 * Authenticators return a copy; the caller's request object is never mutated, so a retry can
 * re-apply fresh credentials to the original.
 */
export interface Authenticator {
  /** Adds credentials (header, query parameter, signature) to a copy of the request. */
  apply(request: HttpRequest): Promise<HttpRequest>;
  /**
   * The source answered 401 to `rejected` (as returned by apply). Resolves true when applying
   * again may succeed (the credential was refreshed), false when retrying is pointless.
   */
  onUnauthorized(rejected: HttpRequest): Promise<boolean>;
}

/** Returns a copy of the request with one header set (header names are case-insensitive on the wire). */
export function withHeader(request: HttpRequest, name: string, value: string): HttpRequest {
  const headers: Record<string, string> = {};
  for (const [key, existing] of Object.entries(request.headers)) {
    if (key.toLowerCase() !== name.toLowerCase()) headers[key] = existing;
  }
  headers[name] = value;
  return { ...request, headers };
}

/** Reads a header case-insensitively. */
export function headerOf(request: HttpRequest, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(request.headers)) {
    if (key.toLowerCase() === wanted) return value;
  }
  return undefined;
}
