import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

export interface HealthServerOptions {
  port: number;
  host?: string;
  registry: Registry;
  /** Liveness: false only when the process should be restarted. */
  isLive: () => boolean;
  /** Readiness: true once the role is connected and consuming/producing. */
  isReady: () => boolean;
}

export interface HealthServer {
  readonly port: number;
  close(): Promise<void>;
}

/** The per-process HTTP endpoint Kubernetes and Prometheus talk to: /metrics, /healthz, /readyz. */
export async function startHealthServer(options: HealthServerOptions): Promise<HealthServer> {
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (path === '/metrics') {
      options.registry
        .metrics()
        .then((body) => {
          response.writeHead(200, { 'content-type': options.registry.contentType });
          response.end(body);
        })
        .catch((error: unknown) => {
          response.writeHead(500, { 'content-type': 'text/plain' });
          response.end(String(error));
        });
      return;
    }
    if (path === '/healthz' || path === '/readyz') {
      const ok = path === '/healthz' ? options.isLive() : options.isReady();
      response.writeHead(ok ? 200 : 503, { 'content-type': 'text/plain' });
      response.end(ok ? 'ok\n' : 'not ok\n');
      return;
    }
    response.writeHead(404, { 'content-type': 'text/plain' });
    response.end('not found\n');
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '0.0.0.0', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
