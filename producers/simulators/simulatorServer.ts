import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { TributaryError } from '../../platform/errors.js';
import {
  type FaultDecision,
  FaultInjector,
  type FaultStats,
  type Faults,
  faultsSchema,
} from './faultInjector.js';
import {
  type JsonResponse,
  readBody,
  readJsonBody,
  SimulatorHttpError,
  sendJson,
  serializeJson,
} from './httpKit.js';
import { Prng } from './prng.js';
import type { SimulatedResource } from './simulatedResource.js';
import { type AuthOptions, type AuthStats, SimulatorAuth } from './simulatorAuth.js';
import {
  type Churn,
  type MutationChange,
  type MutationInput,
  type MutationResult,
  mutationSchema,
  parseSimulatorOptions,
} from './simulatorOptions.js';

export interface StartOptions {
  /** @default 0 (any free port) */
  readonly port?: number;
  /** @default '127.0.0.1' */
  readonly host?: string;
}

export interface StartedSimulator {
  readonly url: string;
  readonly port: number;
}

export interface SimulatorDependencies {
  /** Wall clock for token lifetimes and Retry-After dates (data change times use a seeded clock). @default Date.now */
  readonly clock?: () => number;
}

export interface GroundTruth<T = unknown> {
  readonly resource: string;
  /** Every current record exactly as the API serves it, sorted by id. */
  readonly records: T[];
  /** Ids deleted by mutations, sorted. */
  readonly deletedIds: string[];
}

export interface SimulatorStats {
  readonly state: SimulatorState;
  readonly requests: {
    total: number;
    data: number;
    admin: number;
    token: number;
    unauthorized: number;
    notFound: number;
    byStatus: Record<string, number>;
  };
  readonly faults: FaultStats;
  readonly auth: AuthStats;
  readonly mutations: { calls: number; changes: number; churnSteps: number };
}

export type SimulatorState = 'created' | 'running' | 'stopping' | 'stopped';

export interface SimulatorCoreOptions {
  readonly kind: string;
  readonly seed: number;
  readonly faults: Faults;
  readonly churn: Churn | undefined;
  readonly auth: AuthOptions;
}

export interface PublicRequest {
  readonly body: () => Promise<string>;
  readonly authorization: string | undefined;
}

/** A data route resolved from a request: computing it may throw SimulatorHttpError (400). */
export type DataHandler = () => JsonResponse;

/**
 * The HTTP shell shared by the simulators: lifecycle, admin endpoints, authentication, fault
 * delivery, mutations and request counters. Subclasses only resolve their data routes.
 */
export abstract class SimulatorServer {
  readonly kind: string;
  readonly seed: number;
  protected readonly auth: SimulatorAuth;
  protected readonly clock: () => number;
  private readonly resources = new Map<string, SimulatedResource<unknown>>();
  private readonly primaryResource: string;
  private readonly faultInjector: FaultInjector;
  private churn: Churn | undefined;
  private readonly mutationPrng: Prng;
  /** Seeded change clock: every mutation moves it forward, so change times never depend on wall time. */
  private changeClock: number;
  private servedPages = 0;
  private server: Server | undefined;
  private stopping: Promise<void> | undefined;
  private currentState: SimulatorState = 'created';
  private readonly held = new Set<ServerResponse>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly counters = {
    total: 0,
    data: 0,
    admin: 0,
    token: 0,
    unauthorized: 0,
    notFound: 0,
    byStatus: {} as Record<string, number>,
  };
  private readonly mutationCounters = { calls: 0, changes: 0, churnSteps: 0 };

  protected constructor(
    core: SimulatorCoreOptions,
    resources: readonly SimulatedResource<unknown>[],
    dependencies: SimulatorDependencies,
  ) {
    this.kind = core.kind;
    this.seed = core.seed;
    this.clock = dependencies.clock ?? Date.now;
    this.auth = new SimulatorAuth(core.auth, this.clock);
    this.faultInjector = new FaultInjector(core.seed, core.faults);
    this.churn = core.churn;
    this.mutationPrng = Prng.derive(core.seed, `${core.kind}:mutations`);
    let latest = 0;
    for (const resource of resources) {
      this.resources.set(resource.name, resource);
      latest = Math.max(latest, resource.store.latestChange() ?? 0);
    }
    const primary = resources.find((resource) => resource.behaviour.primary);
    if (primary === undefined) throw new Error('a simulator needs a primary resource');
    this.primaryResource = primary.name;
    this.changeClock = Math.ceil((latest + 60_000) / 1000) * 1000;
    if (core.churn?.resource !== undefined) this.resource(core.churn.resource);
  }

  get state(): SimulatorState {
    return this.currentState;
  }

  get resourceNames(): string[] {
    return [...this.resources.keys()];
  }

  /** Starts listening. A stopped simulator may be started again (same data): a source coming back. */
  async start(options: StartOptions = {}): Promise<StartedSimulator> {
    if (this.currentState === 'running' || this.currentState === 'stopping') {
      throw new TributaryError('INVALID_STATE', `${this.kind} simulator is ${this.currentState}`);
    }
    const server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        if (!res.headersSent)
          sendJson(res, { status: 500, body: { error: 'internal', message: String(error) } });
        else res.destroy();
      });
    });
    server.keepAliveTimeout = 5_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    this.stopping = undefined;
    this.currentState = 'running';
    const address = server.address() as AddressInfo;
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    return { url: `http://${host}:${address.port}`, port: address.port };
  }

  /** Stops listening and cuts every open connection, held (timeout) and delayed (slow) ones included. */
  stop(): Promise<void> {
    this.stopping ??= this.doStop();
    return this.stopping;
  }

  private async doStop(): Promise<void> {
    const server = this.server;
    if (server === undefined) {
      this.currentState = 'stopped';
      return;
    }
    this.currentState = 'stopping';
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const res of this.held) res.destroy();
    this.held.clear();
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
    this.server = undefined;
    this.currentState = 'stopped';
  }

  /** The current records of a resource and the ids deleted so far. */
  groundTruth(resource: string): GroundTruth {
    const store = this.resource(resource).store;
    return { resource, records: store.allRecords(), deletedIds: store.deletedIds() };
  }

  /** Replaces the active faults (counts start afresh). */
  setFaults(input: unknown): Faults {
    const faults = parseSimulatorOptions(faultsSchema, input, `${this.kind} faults`);
    this.faultInjector.configure(faults);
    return faults;
  }

  get faults(): Faults {
    return this.faultInjector.active;
  }

  stats(): SimulatorStats {
    return {
      state: this.currentState,
      requests: { ...this.counters, byStatus: { ...this.counters.byStatus } },
      faults: this.faultInjector.stats(),
      auth: { ...this.auth.stats },
      mutations: { ...this.mutationCounters },
    };
  }

  /**
   * Updates, creates and deletes records with change times after every existing one (unless
   * backdated). Deterministic: the same seed and the same sequence of calls give the same changes.
   */
  mutate(input: MutationInput = {}): MutationResult {
    const mutation = parseSimulatorOptions(mutationSchema, input, `${this.kind} mutation`);
    const resource = this.resource(mutation.resource ?? this.primaryResource);
    const explicit =
      mutation.updates !== undefined ||
      mutation.creates !== undefined ||
      mutation.deletes !== undefined ||
      mutation.updateIds !== undefined ||
      mutation.deleteIds !== undefined;
    for (const id of [...(mutation.updateIds ?? []), ...(mutation.deleteIds ?? [])]) {
      if (!resource.store.has(id))
        throw new TributaryError('NOT_FOUND', `${resource.name} ${id} does not exist`);
    }
    const count = mutation.count ?? 10;
    const updates = explicit ? (mutation.updates ?? 0) : Math.round(count * 0.6);
    const creates = explicit ? (mutation.creates ?? 0) : Math.round(count * 0.25);
    const deletes = explicit ? (mutation.deletes ?? 0) : Math.max(0, count - updates - creates);
    const prng = this.mutationPrng;
    const shared = mutation.sameTimestamp ? this.advanceClock(1000) : undefined;
    const stamp = (): number => (shared ?? this.advanceClock(prng.int(1, 2000))) - mutation.backdateMs;
    const touched = new Set<string>();
    const changes: MutationChange[] = [];
    const store = resource.store;
    const pickUntouched = (): string | undefined => {
      if (touched.size >= store.size) return undefined;
      for (;;) {
        const entry = store.entryAt(prng.int(0, store.size - 1));
        if (entry !== undefined && !touched.has(entry.id)) return entry.id;
      }
    };
    for (const id of mutation.updateIds ?? []) {
      const current = store.get(id);
      if (current === undefined || touched.has(id)) continue;
      const at = stamp();
      store.put(id, at, resource.behaviour.update(prng, current, at));
      touched.add(id);
      changes.push({ id, op: 'update', at: new Date(at).toISOString() });
    }
    for (let i = 0; i < updates; i++) {
      const id = pickUntouched();
      const current = id === undefined ? undefined : store.get(id);
      if (id === undefined || current === undefined) break;
      const at = stamp();
      store.put(id, at, resource.behaviour.update(prng, current, at));
      touched.add(id);
      changes.push({ id, op: 'update', at: new Date(at).toISOString() });
    }
    for (let i = 0; i < creates; i++) {
      const id = resource.newId();
      const at = stamp();
      store.put(id, at, resource.behaviour.create(prng, id, at));
      touched.add(id);
      changes.push({ id, op: 'create', at: new Date(at).toISOString() });
    }
    for (const id of mutation.deleteIds ?? []) {
      if (touched.has(id)) continue;
      const at = stamp();
      store.delete(id, at);
      touched.add(id);
      changes.push({ id, op: 'delete', at: new Date(at).toISOString() });
    }
    for (let i = 0; i < deletes; i++) {
      const id = pickUntouched();
      if (id === undefined) break;
      const at = stamp();
      store.delete(id, at);
      touched.add(id);
      changes.push({ id, op: 'delete', at: new Date(at).toISOString() });
    }
    this.mutationCounters.calls++;
    this.mutationCounters.changes += changes.length;
    return { resource: resource.name, changes };
  }

  private advanceClock(stepMs: number): number {
    this.changeClock += stepMs;
    return this.changeClock;
  }

  protected resource(name: string): SimulatedResource<unknown> {
    const resource = this.resources.get(name);
    if (resource === undefined) {
      throw new TributaryError(
        'NOT_FOUND',
        `unknown resource ${name}; known: ${this.resourceNames.join(', ')}`,
      );
    }
    return resource;
  }

  /** Routes that need no data-endpoint credentials (the OAuth2 token endpoint). */
  protected routePublic(
    _method: string,
    _url: URL,
    _request: PublicRequest,
  ): Promise<JsonResponse | undefined> {
    return Promise.resolve(undefined);
  }

  /** The JSON body of an error response; OData overrides it with its `{ error: { code, message } }`. */
  protected errorBody(code: string, message: string): unknown {
    return { error: code, message };
  }

  /** Resolves an authenticated data route, or undefined for 404. */
  protected abstract routeData(
    method: string,
    url: URL,
    headers: IncomingHttpHeaders,
  ): DataHandler | undefined;

  /** Starts, changes or (with undefined) stops churn: a test's "the source goes quiet now". */
  setChurn(churn: Churn | undefined): void {
    this.churn = churn;
  }

  /** Counts a served data page and applies churn ("records changing while a sync pages through them"). */
  private pageServed(): void {
    this.servedPages++;
    const churn = this.churn;
    if (churn !== undefined && this.servedPages % churn.everyRequests === 0) {
      this.mutationCounters.churnSteps++;
      this.mutate({ count: churn.count, resource: churn.resource, sameTimestamp: churn.sameTimestamp });
    }
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.counters.total++;
    res.on('finish', () => {
      const status = String(res.statusCode);
      this.counters.byStatus[status] = (this.counters.byStatus[status] ?? 0) + 1;
    });
    const method = req.method ?? 'GET';
    // The Host header makes absolute next links (OData) point back at whatever address the client used.
    const url = new URL(req.url ?? '/', `http://${req.headers.host ?? 'simulator'}`);
    try {
      if (url.pathname.startsWith('/_admin/')) {
        this.counters.admin++;
        sendJson(res, await this.routeAdmin(method, url, req));
        return;
      }
      const publicResponse = await this.routePublic(method, url, {
        body: () => readBody(req),
        authorization: req.headers.authorization,
      });
      if (publicResponse !== undefined) {
        this.counters.token++;
        sendJson(res, publicResponse);
        return;
      }
      const auth = this.auth.check(req);
      if (!auth.ok) {
        this.counters.unauthorized++;
        sendJson(res, auth.response);
        return;
      }
      const handler = this.routeData(method, url, req.headers);
      if (handler === undefined) {
        this.counters.notFound++;
        sendJson(res, {
          status: 404,
          body: this.errorBody('not_found', `no route ${method} ${url.pathname}`),
        });
        return;
      }
      this.counters.data++;
      const fault = this.faultInjector.decide({ bearer: auth.bearer !== undefined });
      this.deliver(res, handler, fault, auth.bearer);
    } catch (error) {
      if (error instanceof SimulatorHttpError) {
        if (error.status === 404) this.counters.notFound++;
        sendJson(res, { status: error.status, body: this.errorBody(error.errorCode, error.message) });
        return;
      }
      if (
        error instanceof TributaryError &&
        (error.code === 'CONFIG_INVALID' || error.code === 'NOT_FOUND')
      ) {
        const status = error.code === 'NOT_FOUND' ? 404 : 400;
        sendJson(res, { status, body: this.errorBody(error.code.toLowerCase(), error.message) });
        return;
      }
      throw error;
    }
  }

  /** Computes a data page; client errors become 400 responses and do not count as served pages. */
  private compute(handler: DataHandler): { response: JsonResponse; served: boolean } {
    try {
      const response = handler();
      return { response, served: true };
    } catch (error) {
      if (error instanceof SimulatorHttpError) {
        return {
          response: { status: error.status, body: this.errorBody(error.errorCode, error.message) },
          served: false,
        };
      }
      throw error;
    }
  }

  private deliver(
    res: ServerResponse,
    handler: DataHandler,
    fault: FaultDecision | undefined,
    bearer: string | undefined,
  ): void {
    switch (fault?.kind) {
      case undefined: {
        const { response, served } = this.compute(handler);
        sendJson(res, response);
        if (served) this.pageServed();
        return;
      }
      case 'rateLimit': {
        const retryAfter =
          fault.form === 'seconds'
            ? String(fault.retryAfterSeconds)
            : new Date(this.clock() + fault.retryAfterSeconds * 1000).toUTCString();
        sendJson(res, {
          status: 429,
          body: this.errorBody('rate_limited', 'too many requests'),
          headers: { 'retry-after': retryAfter },
        });
        return;
      }
      case 'serverError':
        sendJson(res, {
          status: fault.status,
          body: this.errorBody('server_error', 'simulated upstream failure'),
        });
        return;
      case 'tokenExpiry':
        sendJson(res, this.auth.expire(bearer ?? ''));
        return;
      case 'timeout':
        // No answer at all: the client must time out. The response is destroyed on stop().
        this.held.add(res);
        res.on('close', () => this.held.delete(res));
        return;
      case 'slow': {
        const timer = setTimeout(() => {
          this.timers.delete(timer);
          if (res.destroyed) return;
          const { response, served } = this.compute(handler);
          sendJson(res, response);
          if (served) this.pageServed();
        }, fault.delayMs);
        this.timers.add(timer);
        return;
      }
      case 'malformed': {
        const { response, served } = this.compute(handler);
        if (!served) {
          sendJson(res, response);
          return;
        }
        const { body, headers } = serializeJson(response);
        const truncated = body.subarray(0, Math.max(1, Math.floor(body.length / 2)));
        res.writeHead(response.status, { ...headers, 'content-length': String(truncated.length) });
        res.end(truncated);
        this.pageServed();
        return;
      }
      case 'dropConnection': {
        const { response, served } = this.compute(handler);
        if (!served) {
          sendJson(res, response);
          return;
        }
        const { body, headers } = serializeJson(response);
        res.writeHead(response.status, headers);
        res.write(body.subarray(0, Math.floor(body.length / 2)), () => res.socket?.destroy());
        this.pageServed();
        return;
      }
    }
  }

  private async routeAdmin(method: string, url: URL, req: IncomingMessage): Promise<JsonResponse> {
    const route = `${method} ${url.pathname}`;
    switch (route) {
      case 'GET /_admin/truth': {
        const name = url.searchParams.get('resource');
        if (name !== null) return { status: 200, body: this.groundTruth(name) };
        const all: Record<string, GroundTruth> = {};
        for (const resource of this.resourceNames) all[resource] = this.groundTruth(resource);
        return { status: 200, body: all };
      }
      case 'POST /_admin/mutate':
        return { status: 200, body: this.mutate((await readJsonBody(req)) as MutationInput) };
      case 'GET /_admin/faults':
        return { status: 200, body: this.faults };
      case 'POST /_admin/faults':
        return { status: 200, body: this.setFaults(await readJsonBody(req)) };
      case 'GET /_admin/stats':
        return { status: 200, body: { kind: this.kind, seed: this.seed, ...this.stats() } };
      default:
        return { status: 404, body: { error: 'not_found', message: `no admin route ${route}` } };
    }
  }
}
