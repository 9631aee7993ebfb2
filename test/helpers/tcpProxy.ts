import { type AddressInfo, createServer, type Server, Socket } from 'node:net';

/**
 * A tiny TCP proxy for fault tests: `stop()` refuses new connections and cuts every open one
 * (like a database that went away), `start()` accepts again on the same port, and
 * `resetClientAfter()` makes the next client write containing a pattern (e.g. a PostgreSQL
 * COMMIT) reach the server while the client's connection is reset before any reply: the
 * "outcome unknown" fault.
 */
export interface TcpProxy {
  readonly port: number;
  /** How many client connections resetClientAfter() has reset so far. */
  readonly resets: number;
  start(): Promise<void>;
  stop(): Promise<void>;
  close(): Promise<void>;
  /**
   * Arms the proxy `times` times: a client chunk containing `pattern` is forwarded to the server,
   * then the client side gets a TCP RST while the server side is half-closed gracefully, so the
   * server still executes what it received (and its reply is discarded).
   */
  resetClientAfter(pattern: Buffer, times: number): void;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  let port = 0;
  let armed: { pattern: Buffer; remaining: number } | undefined;
  let resets = 0;
  const listen = async (): Promise<void> => {
    const next = createServer((client) => {
      const upstream = new Socket();
      sockets.add(client);
      sockets.add(upstream);
      let detached = false;
      const cleanup = (): void => {
        client.destroy();
        sockets.delete(client);
        // After a reset the server side is left to finish on its own (it was ended gracefully).
        if (!detached) {
          upstream.destroy();
          sockets.delete(upstream);
        }
      };
      client.on('error', cleanup);
      upstream.on('error', () => {
        upstream.destroy();
        sockets.delete(upstream);
        cleanup();
      });
      client.on('close', cleanup);
      upstream.on('close', () => {
        sockets.delete(upstream);
        if (!detached) cleanup();
      });
      upstream.connect(target.port, target.host, () => {
        upstream.pipe(client);
        client.on('data', (chunk: Buffer) => {
          if (detached) return;
          if (armed && armed.remaining > 0 && chunk.includes(armed.pattern)) {
            armed.remaining--;
            resets++;
            detached = true;
            upstream.unpipe(client);
            upstream.end(chunk);
            upstream.resume(); // drain and discard the server's reply
            client.resetAndDestroy();
            return;
          }
          if (!upstream.write(chunk)) {
            client.pause();
            upstream.once('drain', () => client.resume());
          }
        });
      });
    });
    await new Promise<void>((resolve, reject) => {
      next.once('error', reject);
      next.listen(port, '127.0.0.1', () => resolve());
    });
    port = (next.address() as AddressInfo).port;
    server = next;
  };
  const shut = async (): Promise<void> => {
    const current = server;
    server = undefined;
    for (const socket of sockets) socket.destroy();
    sockets.clear();
    if (current) await new Promise<void>((resolve) => current.close(() => resolve()));
  };
  await listen();
  return {
    get port() {
      return port;
    },
    get resets() {
      return resets;
    },
    start: async () => {
      if (!server) await listen();
    },
    stop: shut,
    close: shut,
    resetClientAfter(pattern, times) {
      armed = { pattern, remaining: times };
    },
  };
}
