import { describe, expect, it } from 'vitest';
import { FaultInjector, faultsSchema } from '../../../producers/simulators/faultInjector.js';

const parse = (input: unknown) => faultsSchema.parse(input);

describe('FaultInjector', () => {
  it('fires a counted fault on exactly the next N requests after afterRequests', () => {
    const injector = new FaultInjector(1, parse({ malformed: { count: 2, afterRequests: 3 } }));
    const kinds = Array.from({ length: 8 }, () => injector.decide({ bearer: false })?.kind);
    expect(kinds).toEqual([
      undefined,
      undefined,
      undefined,
      'malformed',
      'malformed',
      undefined,
      undefined,
      undefined,
    ]);
    expect(injector.stats()).toEqual(
      expect.objectContaining({ dataRequests: 8, served: expect.objectContaining({ malformed: 2 }) }),
    );
  });

  it('turns one server-error firing into a burst of consecutive 5xx', () => {
    const injector = new FaultInjector(1, parse({ serverError: { count: 1, burst: 3, status: 502 } }));
    const decisions = Array.from({ length: 5 }, () => injector.decide({ bearer: false }));
    expect(decisions.map((d) => (d?.kind === 'serverError' ? d.status : undefined))).toEqual([
      502,
      502,
      502,
      undefined,
      undefined,
    ]);
  });

  it('is deterministic for probabilistic faults and honours the probability roughly', () => {
    const run = () => {
      const injector = new FaultInjector(9, parse({ rateLimit: { probability: 0.2 } }));
      return Array.from({ length: 1000 }, () => injector.decide({ bearer: false })?.kind ?? '-').join(',');
    };
    expect(run()).toBe(run());
    const hits = run()
      .split(',')
      .filter((kind) => kind === 'rateLimit').length;
    expect(hits).toBeGreaterThan(140);
    expect(hits).toBeLessThan(260);
  });

  it('only expires tokens on bearer requests, and reconfiguring restarts counts', () => {
    const injector = new FaultInjector(1, parse({ tokenExpiry: { count: 1 } }));
    expect(injector.decide({ bearer: false })).toBeUndefined();
    expect(injector.decide({ bearer: true })?.kind).toBe('tokenExpiry');
    expect(injector.decide({ bearer: true })).toBeUndefined();
    injector.configure(parse({ tokenExpiry: { count: 1 } }));
    expect(injector.decide({ bearer: true })?.kind).toBe('tokenExpiry');
  });

  it('rejects rules without a trigger and unknown fault kinds', () => {
    expect(faultsSchema.safeParse({ timeout: {} }).success).toBe(false);
    expect(faultsSchema.safeParse({ meteor: { count: 1 } }).success).toBe(false);
    expect(faultsSchema.safeParse({ slow: { count: 1, delayMs: 5, bogus: 1 } }).success).toBe(false);
  });
});
