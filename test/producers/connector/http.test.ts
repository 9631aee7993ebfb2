import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { TributaryError } from '../../../platform/errors.js';
import { FakeClock } from '../../../producers/connector/clock.js';
import { createHttpClient, HttpError } from '../../../producers/connector/http.js';
import { createConnectorMetrics } from '../../../producers/connector/metrics.js';
import { sendJson, startTestServer } from './helpers/testServer.js';

const CANARY = 'canary-k3y-91ab';

async function caught(promise: Promise<unknown>): Promise<HttpError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof HttpError) return error;
    throw error;
  }
  throw new Error('expected an HttpError');
}

describe('createHttpClient', () => {
  it('returns 2xx bodies and asks for gzip, decoding it', async () => {
    const payload = { items: Array.from({ length: 200 }, (_, i) => ({ id: i, name: `worker ${i}` })) };
    const server = await startTestServer((_req, res) => {
      const zipped = gzipSync(JSON.stringify(payload));
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
      res.end(zipped);
    });
    const http = createHttpClient({ source: 'acme' });
    const response = await http.request(
      { method: 'get', url: `${server.url}/workers`, headers: {} },
      { stream: 'workers' },
    );
    expect(response.status).toBe(200);
    expect(response.json()).toEqual(payload);
    expect(server.requests[0]?.headers['accept-encoding']).toContain('gzip');
    expect(server.requests[0]?.method).toBe('GET');
  });

  it('reuses keep-alive connections: 20 sequential requests open at most 2 sockets', async () => {
    const sockets = new Set<unknown>();
    const server = await startTestServer((req, res) => {
      sockets.add(req.socket);
      sendJson(res, 200, {});
    });
    const http = createHttpClient({ source: 'acme' });
    for (let i = 0; i < 20; i++)
      await http.request({ method: 'GET', url: `${server.url}/x`, headers: {} }, { stream: 's' });
    expect(sockets.size).toBeLessThanOrEqual(2);
  });

  it('keeps the connection after small error responses (a 429 storm costs no reconnects)', async () => {
    const sockets = new Set<unknown>();
    const server = await startTestServer((req, res) => {
      sockets.add(req.socket);
      sendJson(res, 429, { error: 'slow down' });
    });
    const http = createHttpClient({ source: 'acme' });
    for (let i = 0; i < 20; i++) {
      await http
        .request({ method: 'GET', url: `${server.url}/x`, headers: {} }, { stream: 's' })
        .catch(() => undefined);
    }
    expect(sockets.size).toBeLessThanOrEqual(2);
  });

  it('names source, stream, method, redacted URL and status; 5xx are retryable, 4xx are not', async () => {
    const server = await startTestServer((req, res) =>
      sendJson(res, req.url?.startsWith('/missing') ? 404 : 503, {}),
    );
    const http = createHttpClient({ source: 'acme', redactQueryParams: ['code'] });
    const url503 = `${server.url}/workers?api_key=${CANARY}&code=${CANARY}&page=2`;
    const error = await caught(
      http.request({ method: 'GET', url: url503, headers: {} }, { stream: 'workers' }),
    );
    expect(error.code).toBe('HTTP_ERROR');
    expect(error.status).toBe(503);
    expect(error.retryable).toBe(true);
    expect(error.message).toContain('acme/workers: GET');
    expect(error.message).toContain('/workers?api_key=redacted&code=redacted&page=2');
    expect(error.message).toContain('503');
    expect(JSON.stringify({ message: error.message, details: error.details })).not.toContain(CANARY);

    const notFound = await caught(
      http.request({ method: 'GET', url: `${server.url}/missing`, headers: {} }, { stream: 'w' }),
    );
    expect(notFound.status).toBe(404);
    expect(notFound.retryable).toBe(false);
  });

  it('carries Retry-After in seconds and HTTP-date form', async () => {
    const clock = new FakeClock(Date.parse('2026-11-27T12:00:00Z'));
    const server = await startTestServer((req, res) => {
      const value = req.url === '/seconds' ? '3' : 'Fri, 27 Nov 2026 12:01:00 GMT';
      sendJson(res, 429, {}, { 'retry-after': value });
    });
    const http = createHttpClient({ source: 'acme', clock });
    const seconds = await caught(
      http.request({ method: 'GET', url: `${server.url}/seconds`, headers: {} }, { stream: 's' }),
    );
    expect(seconds.retryAfterMs).toBe(3_000);
    expect(seconds.retryable).toBe(true);
    const date = await caught(
      http.request({ method: 'GET', url: `${server.url}/date`, headers: {} }, { stream: 's' }),
    );
    expect(date.retryAfterMs).toBe(60_000);
    expect(date.details.retryAfterMs).toBe(60_000);
  });

  it('aborts a body past the size limit, declared or streamed (not retryable)', async () => {
    const server = await startTestServer((req, res) => {
      if (req.url === '/declared') {
        sendJson(res, 200, { blob: 'x'.repeat(5_000) });
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }); // chunked, no length
      let sent = 0;
      const pump = (): void => {
        while (sent < 200) {
          sent++;
          if (!res.write('y'.repeat(1_000))) {
            res.once('drain', pump);
            return;
          }
        }
        res.end();
      };
      pump();
    });
    const http = createHttpClient({ source: 'acme', maxResponseBytes: 4_096 });
    for (const path of ['/declared', '/streamed']) {
      const error = await caught(
        http.request({ method: 'GET', url: `${server.url}${path}`, headers: {} }, { stream: 's' }),
      );
      expect(error.details.reason).toBe('too-large');
      expect(error.retryable).toBe(false);
      expect(error.message).toContain('exceeds 4096 bytes');
    }
  });

  it('limits decoded size, so a gzip bomb is stopped', async () => {
    const server = await startTestServer((_req, res) => {
      res.writeHead(200, { 'content-encoding': 'gzip' });
      res.end(gzipSync(Buffer.alloc(10_000_000, 0x20)));
    });
    const http = createHttpClient({ source: 'acme', maxResponseBytes: 100_000 });
    const error = await caught(
      http.request({ method: 'GET', url: `${server.url}/bomb`, headers: {} }, { stream: 's' }),
    );
    expect(error.details.reason).toBe('too-large');
  });

  it('times out a request that never answers (retryable), through the injected clock', async () => {
    const clock = new FakeClock(0);
    const server = await startTestServer(() => undefined); // never responds
    const http = createHttpClient({ source: 'acme', clock, timeoutMs: 5_000 });
    const pending = caught(
      http.request({ method: 'GET', url: `${server.url}/slow`, headers: {} }, { stream: 's' }),
    );
    while (server.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    await clock.advance(5_000);
    const error = await pending;
    expect(error.details.reason).toBe('timeout');
    expect(error.retryable).toBe(true);
    expect(error.message).toContain('timed out after 5000 ms');
  });

  it('reports a refused connection as a retryable network error', async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as AddressInfo;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const http = createHttpClient({ source: 'acme' });
    const error = await caught(
      http.request({ method: 'GET', url: `http://127.0.0.1:${port}/`, headers: {} }, { stream: 's' }),
    );
    expect(error.details.reason).toBe('network');
    expect(error.retryable).toBe(true);
    expect(error.message).toContain('ECONNREFUSED');
  });

  it('rethrows the caller abort reason instead of an HTTP error', async () => {
    const server = await startTestServer(() => undefined);
    const http = createHttpClient({ source: 'acme' });
    const controller = new AbortController();
    const pending = http.request(
      { method: 'GET', url: `${server.url}/`, headers: {} },
      { stream: 's', signal: controller.signal },
    );
    while (server.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    const reason = new TributaryError('SHUTDOWN_TIMEOUT', 'stopping');
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
  });

  it('treats a malformed JSON body as a non-retryable HTTP error', async () => {
    const server = await startTestServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"items": [1, 2');
    });
    const http = createHttpClient({ source: 'acme' });
    const response = await http.request(
      { method: 'GET', url: `${server.url}/`, headers: {} },
      { stream: 's' },
    );
    expect(() => response.json()).toThrow(/not valid JSON/);
  });

  it('counts requests by source, stream and status', async () => {
    const server = await startTestServer((req, res) => sendJson(res, req.url === '/bad' ? 502 : 200, {}));
    const registry = new Registry();
    const http = createHttpClient({ source: 'acme', metrics: createConnectorMetrics(registry) });
    await http.request({ method: 'GET', url: `${server.url}/ok`, headers: {} }, { stream: 'workers' });
    await http
      .request({ method: 'GET', url: `${server.url}/bad`, headers: {} }, { stream: 'workers' })
      .catch(() => undefined);
    const text = await registry.metrics();
    expect(text).toContain(
      'tributary_connector_requests_total{source="acme",stream="workers",status="200"} 1',
    );
    expect(text).toContain(
      'tributary_connector_requests_total{source="acme",stream="workers",status="502"} 1',
    );
  });
});
