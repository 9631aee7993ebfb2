import { TributaryError } from '../../../platform/errors.js';
import {
  type HttpClient,
  HttpError,
  type HttpRequest,
  type HttpRequestContext,
  type HttpResponse,
} from '../http.js';
import type { Authenticator } from './authenticator.js';

/**
 * Sends an authenticated request. On a 401 the authenticator may refresh its credential; the
 * request is then re-applied and sent exactly once more. A second 401, or one the authenticator
 * cannot fix, is a non-retryable AUTH_FAILED: hammering a source with bad credentials gets
 * accounts locked.
 */
export async function sendWithAuth(
  http: HttpClient,
  authenticator: Authenticator,
  request: HttpRequest,
  context: HttpRequestContext,
): Promise<HttpResponse> {
  const first = await authenticator.apply(request);
  try {
    return await http.request(first, context);
  } catch (error) {
    if (!isUnauthorized(error)) throw error;
    if (!(await authenticator.onUnauthorized(first))) throw unauthorized(error);
  }
  const second = await authenticator.apply(request);
  try {
    return await http.request(second, context);
  } catch (error) {
    if (isUnauthorized(error)) throw unauthorized(error);
    throw error;
  }
}

function isUnauthorized(error: unknown): error is HttpError {
  return error instanceof HttpError && error.status === 401;
}

function unauthorized(error: HttpError): TributaryError {
  return new TributaryError('AUTH_FAILED', `${error.message} (credentials rejected)`, {
    cause: error,
    retryable: false,
    details: { ...error.details },
  });
}
