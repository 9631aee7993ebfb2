import { TributaryError } from '../../platform/errors.js';
import { redactUrl } from '../../platform/logger.js';
import { type Clock, systemClock } from './clock.js';
import type { ConnectorMetrics } from './metrics.js';
import { isRetryableStatus, parseRetryAfter } from './retry.js';

/** A request as the plumbing passes it around: authenticators return a modified copy. */
export interface HttpRequest {
  method: string;
  /** Absolute URL. */
  url: string;
  headers: Record<string, string>;
  body?: string | Uint8Array;
}

export interface HttpResponse {
  status: number;
  headers: Headers;
  /** Final URL after redirects. */
  url: string;
  /** Decoded (decompressed) body bytes. */
  body: Buffer;
  text(): string;
  /** Parses the body as JSON; a malformed body is an HTTP_ERROR (not retryable). */
  json(): unknown;
}

export interface HttpRequestContext {
  /** Stream name for errors and metrics; use the source name for token calls. */
  stream: string;
  signal?: AbortSignal;
}

export interface HttpErrorDetails {
  source: string;
  stream: string;
  method: string;
  /** URL with credentials and secret-looking query parameters removed. */
  url: string;
  status?: number;
  /** Parsed Retry-After, milliseconds from when the response arrived. */
  retryAfterMs?: number;
  reason: 'status' | 'timeout' | 'network' | 'too-large' | 'malformed-body';
}

/** Every HTTP failure: names source, stream, method, redacted URL and status; retryable per policy. */
export class HttpError extends TributaryError {
  readonly status: number | undefined;
  readonly retryAfterMs: number | undefined;
  override readonly details: HttpErrorDetails & Record<string, unknown>;

  constructor(message: string, details: HttpErrorDetails, options: { retryable: boolean; cause?: unknown }) {
    super('HTTP_ERROR', message, {
      retryable: options.retryable,
      cause: options.cause,
      details: { ...details },
    });
    this.name = 'HttpError';
    this.status = details.status;
    this.retryAfterMs = details.retryAfterMs;
    this.details = { ...details };
  }
}

export interface HttpClientOptionsInput {
  /** Source name used in errors and metrics. */
  source: string;
  /** Whole-request timeout (headers and body). @default 30000 */
  timeoutMs?: number;
  /** Decoded body limit; protects memory and against compression bombs. @default 33554432 (32 MiB) */
  maxResponseBytes?: number;
  /** Extra query parameter names to redact in errors (e.g. an API key sent as `code`). @default [] */
  redactQueryParams?: readonly string[];
  /** @default 'tributary-connector' */
  userAgent?: string;
  /** @default systemClock */
  clock?: Clock;
  /**
   * @default globalThis.fetch — Node's bundled undici, whose global dispatcher keeps connections
   * alive between requests. Pass undici's fetch with a custom Agent to tune pooling.
   */
  fetch?: typeof fetch;
  metrics?: ConnectorMetrics;
}

export interface HttpClientOptions {
  source: string;
  timeoutMs: number;
  maxResponseBytes: number;
  redactQueryParams: readonly string[];
  userAgent: string;
  clock: Clock;
  fetch: typeof fetch;
  metrics: ConnectorMetrics | undefined;
}

export function resolveHttpClientOptions(input: HttpClientOptionsInput): HttpClientOptions {
  const options: HttpClientOptions = {
    source: input.source,
    timeoutMs: input.timeoutMs ?? 30_000,
    maxResponseBytes: input.maxResponseBytes ?? 32 * 1024 * 1024,
    redactQueryParams: input.redactQueryParams ?? [],
    userAgent: input.userAgent ?? 'tributary-connector',
    clock: input.clock ?? systemClock,
    fetch: input.fetch ?? globalThis.fetch,
    metrics: input.metrics,
  };
  if (!options.source) throw new TributaryError('CONFIG_INVALID', 'http client: source is required');
  if (!(options.timeoutMs > 0))
    throw new TributaryError('CONFIG_INVALID', 'http client: timeoutMs must be > 0');
  if (!(options.maxResponseBytes > 0)) {
    throw new TributaryError('CONFIG_INVALID', 'http client: maxResponseBytes must be > 0');
  }
  return options;
}

export interface HttpClient {
  readonly source: string;
  /** Sends the request; resolves for 2xx, throws HttpError otherwise. */
  request(request: HttpRequest, context: HttpRequestContext): Promise<HttpResponse>;
  /** The URL as it may appear in logs, errors and envelopes. */
  redact(url: string): string;
}

export function createHttpClient(input: HttpClientOptionsInput): HttpClient {
  const options = resolveHttpClientOptions(input);
  const extraRedactions = new Set(options.redactQueryParams.map((name) => name.toLowerCase()));

  const redact = (url: string): string => {
    const base = redactUrl(url);
    if (extraRedactions.size === 0) return base;
    try {
      const parsed = new URL(base);
      for (const key of [...parsed.searchParams.keys()]) {
        if (extraRedactions.has(key.toLowerCase())) parsed.searchParams.set(key, 'redacted');
      }
      return parsed.toString();
    } catch {
      return base;
    }
  };

  const count = (stream: string, status: string): void => {
    options.metrics?.requests.inc({ source: options.source, stream, status });
  };

  async function request(req: HttpRequest, context: HttpRequestContext): Promise<HttpResponse> {
    const method = req.method.toUpperCase();
    const base = { source: options.source, stream: context.stream, method, url: redact(req.url) };
    const where = `${options.source}/${context.stream}: ${method} ${base.url}`;
    context.signal?.throwIfAborted();

    const controller = new AbortController();
    const timerStop = new AbortController();
    let timedOut = false;
    const onCallerAbort = (): void => controller.abort(context.signal?.reason);
    context.signal?.addEventListener('abort', onCallerAbort, { once: true });
    options.clock.sleep(options.timeoutMs, timerStop.signal).then(
      () => {
        timedOut = true;
        controller.abort();
      },
      () => undefined, // timer cancelled: the request finished first
    );

    const failure = (error: unknown): unknown => {
      if (context.signal?.aborted) return context.signal.reason ?? error;
      if (timedOut) {
        count(context.stream, 'timeout');
        return new HttpError(
          `${where} timed out after ${options.timeoutMs} ms`,
          { ...base, reason: 'timeout' },
          {
            retryable: true,
            cause: error,
          },
        );
      }
      if (error instanceof HttpError) return error;
      if (isNetworkError(error)) {
        count(context.stream, 'network_error');
        return new HttpError(
          `${where} failed: ${networkReason(error)}`,
          { ...base, reason: 'network' },
          {
            retryable: true,
            cause: error,
          },
        );
      }
      return error; // programmer error (bad URL, bad header): never retried
    };

    try {
      let response: Response;
      try {
        response = await options.fetch(req.url, {
          method,
          headers: {
            'accept-encoding': 'gzip, deflate',
            'user-agent': options.userAgent,
            accept: 'application/json',
            ...req.headers,
          },
          body: req.body,
          signal: controller.signal,
          redirect: 'follow',
        });
      } catch (error) {
        throw failure(error);
      }

      const receivedAt = options.clock.now();
      if (response.status < 200 || response.status > 299) {
        await discardBody(response);
        count(context.stream, String(response.status));
        const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), receivedAt);
        const details: HttpErrorDetails = { ...base, status: response.status, reason: 'status' };
        if (retryAfterMs !== undefined) details.retryAfterMs = retryAfterMs;
        throw new HttpError(`${where} → HTTP ${response.status}`, details, {
          retryable: isRetryableStatus(response.status),
        });
      }

      let body: Buffer;
      try {
        body = await readLimited(response, options.maxResponseBytes, () => controller.abort());
      } catch (error) {
        if (error instanceof ResponseTooLarge) {
          count(context.stream, 'too_large');
          // Not retryable: the same request returns the same oversized page; shrink the page size.
          throw new HttpError(
            `${where} → response exceeds ${options.maxResponseBytes} bytes`,
            { ...base, status: response.status, reason: 'too-large' },
            { retryable: false },
          );
        }
        throw failure(error);
      }
      count(context.stream, String(response.status));
      return {
        status: response.status,
        headers: response.headers,
        url: response.url || req.url,
        body,
        text: () => body.toString('utf8'),
        json: () => {
          try {
            return JSON.parse(body.toString('utf8')) as unknown;
          } catch (error) {
            throw new HttpError(
              `${where} → body is not valid JSON`,
              { ...base, status: response.status, reason: 'malformed-body' },
              { retryable: false, cause: error },
            );
          }
        },
      };
    } finally {
      timerStop.abort();
      context.signal?.removeEventListener('abort', onCallerAbort);
    }
  }

  return { source: options.source, request, redact };
}

class ResponseTooLarge extends Error {}

/** Error bodies are never shown (they may echo credentials). */
const DRAIN_LIMIT_BYTES = 64 * 1024;

/**
 * Reads a small error body to its end so the keep-alive connection can be reused (a 429 storm
 * should not also cost a TCP/TLS handshake per request); cancels anything bigger or unsized.
 */
async function discardBody(response: Response): Promise<void> {
  const declared = Number(response.headers.get('content-length'));
  try {
    if (response.headers.has('content-length') && declared <= DRAIN_LIMIT_BYTES) await response.arrayBuffer();
    else await response.body?.cancel();
  } catch {
    // The connection is gone; nothing to reuse.
  }
}

async function readLimited(response: Response, limit: number, abort: () => void): Promise<Buffer> {
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > limit) {
    abort();
    throw new ResponseTooLarge();
  }
  if (!response.body) return Buffer.alloc(0);
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      abort();
      await reader.cancel().catch(() => undefined);
      throw new ResponseTooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, total);
}

/** undici reports transport failures as TypeError('fetch failed') with the socket error as cause. */
function isNetworkError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error.name === 'AbortError') return false;
  if (error instanceof TypeError && (error.message === 'fetch failed' || error.message === 'terminated'))
    return true;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && /^(ECONN|EPIPE|ETIMEDOUT|ENOTFOUND|EAI_AGAIN|UND_ERR_)/.test(code);
}

function networkReason(error: unknown): string {
  const cause = error instanceof Error ? error.cause : undefined;
  const code = cause && typeof cause === 'object' ? (cause as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : error instanceof Error ? error.message : 'network error';
}
