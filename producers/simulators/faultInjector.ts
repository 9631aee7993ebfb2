import { z } from 'zod/v4';
import { Prng } from './prng.js';

/**
 * Fault injection for the simulators' data endpoints. Each fault kind is switched on with either
 * a probability per request or a count of firings (or both: fire with that probability until the
 * count is used up), optionally only after a number of data requests so a fault can be placed
 * "mid-sync". Probabilistic faults draw from their own seeded generator, so a run with the same
 * seed and the same request sequence faults on the same requests.
 */
const ruleShape = {
  /** Chance per eligible request, 0..1. */
  probability: z.number().min(0).max(1).optional(),
  /** Number of firings; with no probability the next `count` eligible requests fire. */
  count: z.number().int().min(0).optional(),
  /** Data requests to let through before the rule becomes eligible. @default 0 */
  afterRequests: z.number().int().min(0).default(0),
};

const ruleBase = z.object(ruleShape).strict();

function hasTrigger(value: { probability?: number | undefined; count?: number | undefined }): boolean {
  return value.probability !== undefined || value.count !== undefined;
}
const triggerMessage = { message: 'set probability or count' };

export const faultsSchema = z
  .object({
    /** 429 Too Many Requests with a Retry-After header. */
    rateLimit: ruleBase
      .extend({
        /** @default 1 */
        retryAfterSeconds: z.number().int().min(0).max(3600).default(1),
        /** `seconds` → "Retry-After: 1"; `http-date` → "Retry-After: Sat, 28 Nov 2026 00:00:01 GMT". @default 'seconds' */
        retryAfterForm: z.enum(['seconds', 'http-date']).default('seconds'),
      })
      .refine(hasTrigger, triggerMessage),
    /** 5xx responses; each firing answers `burst` consecutive data requests with `status`. */
    serverError: ruleBase
      .extend({
        /** @default 503 */
        status: z.union([z.literal(500), z.literal(502), z.literal(503), z.literal(504)]).default(503),
        /** @default 3 */
        burst: z.number().int().min(1).max(1000).default(3),
      })
      .refine(hasTrigger, triggerMessage),
    /** The server never answers; the request is held until the client gives up. */
    timeout: ruleBase.refine(hasTrigger, triggerMessage),
    /** The normal response, delivered after `delayMs`. */
    slow: ruleBase
      .extend({
        /** @default 1500 */
        delayMs: z.number().int().min(0).max(600_000).default(1500),
      })
      .refine(hasTrigger, triggerMessage),
    /** The presented OAuth2 token expires right now: 401 invalid_token, the client must re-authenticate. */
    tokenExpiry: ruleBase.refine(hasTrigger, triggerMessage),
    /** 200 with a truncated, invalid JSON body. */
    malformed: ruleBase.refine(hasTrigger, triggerMessage),
    /** Headers and half the body are written, then the socket is destroyed. */
    dropConnection: ruleBase.refine(hasTrigger, triggerMessage),
  })
  .partial()
  .strict();

export type FaultsInput = z.input<typeof faultsSchema>;
export type Faults = z.output<typeof faultsSchema>;
export type FaultKind = keyof Faults;

export const faultKinds = [
  'tokenExpiry',
  'rateLimit',
  'serverError',
  'timeout',
  'dropConnection',
  'malformed',
  'slow',
] as const satisfies readonly FaultKind[];

export type FaultDecision =
  | { readonly kind: 'rateLimit'; readonly retryAfterSeconds: number; readonly form: 'seconds' | 'http-date' }
  | { readonly kind: 'serverError'; readonly status: number }
  | { readonly kind: 'timeout' }
  | { readonly kind: 'slow'; readonly delayMs: number }
  | { readonly kind: 'tokenExpiry' }
  | { readonly kind: 'malformed' }
  | { readonly kind: 'dropConnection' };

export interface FaultStats {
  /** Data requests seen by the injector. */
  readonly dataRequests: number;
  /** Faults served, by kind. */
  readonly served: Record<FaultKind, number>;
}

export class FaultInjector {
  private faults: Faults = {};
  private remaining = new Map<FaultKind, number>();
  private burstLeft = 0;
  private burstStatus = 503;
  private dataRequests = 0;
  private readonly served: Record<FaultKind, number> = {
    rateLimit: 0,
    serverError: 0,
    timeout: 0,
    slow: 0,
    tokenExpiry: 0,
    malformed: 0,
    dropConnection: 0,
  };
  private readonly prng: Prng;

  constructor(seed: number, faults: Faults = {}) {
    this.prng = Prng.derive(seed, 'faults');
    this.configure(faults);
  }

  /** Replaces the active faults; counts restart, served counters and request numbering do not. */
  configure(faults: Faults): void {
    this.faults = faults;
    this.remaining = new Map();
    this.burstLeft = 0;
    for (const kind of faultKinds) {
      const count = faults[kind]?.count;
      if (count !== undefined) this.remaining.set(kind, count);
    }
  }

  get active(): Faults {
    return this.faults;
  }

  /**
   * Called once per authenticated data request. `tokenExpiry` is only eligible when the request
   * carried an OAuth2 token. Returns the fault to serve, or undefined for a normal response.
   */
  decide(options: { readonly bearer: boolean }): FaultDecision | undefined {
    const seen = this.dataRequests;
    this.dataRequests++;
    if (this.burstLeft > 0) {
      this.burstLeft--;
      this.served.serverError++;
      return { kind: 'serverError', status: this.burstStatus };
    }
    for (const kind of faultKinds) {
      const config = this.faults[kind];
      if (config === undefined || seen < config.afterRequests) continue;
      if (kind === 'tokenExpiry' && !options.bearer) continue;
      const left = this.remaining.get(kind);
      if (left !== undefined && left <= 0) continue;
      if (config.probability !== undefined && !this.prng.chance(config.probability)) continue;
      if (left !== undefined) this.remaining.set(kind, left - 1);
      this.served[kind]++;
      return this.decision(kind);
    }
    return undefined;
  }

  private decision(kind: FaultKind): FaultDecision {
    switch (kind) {
      case 'rateLimit': {
        const config = this.faults.rateLimit;
        return {
          kind,
          retryAfterSeconds: config?.retryAfterSeconds ?? 1,
          form: config?.retryAfterForm ?? 'seconds',
        };
      }
      case 'serverError': {
        const config = this.faults.serverError;
        this.burstStatus = config?.status ?? 503;
        this.burstLeft = (config?.burst ?? 3) - 1;
        return { kind, status: this.burstStatus };
      }
      case 'slow':
        return { kind, delayMs: this.faults.slow?.delayMs ?? 1500 };
      case 'timeout':
      case 'tokenExpiry':
      case 'malformed':
      case 'dropConnection':
        return { kind };
    }
  }

  stats(): FaultStats {
    return { dataRequests: this.dataRequests, served: { ...this.served } };
  }
}
