import { decodeCursorToken, encodeCursorToken } from '../cursorToken.js';
import { instantParam, intParam, type JsonResponse, SimulatorHttpError } from '../httpKit.js';
import type { IndexEntry, StorePage, Tombstone } from '../recordStore.js';
import { SimulatedResource } from '../simulatedResource.js';
import {
  type DataHandler,
  type GroundTruth,
  type PublicRequest,
  type SimulatorDependencies,
  SimulatorServer,
} from '../simulatorServer.js';
import type { HrJob, HrOrgUnit, HrResourceName, HrWorker } from './hrRecords.js';
import { hrResources } from './hrResources.js';
import {
  type HrSimulatorOptions,
  type HrSimulatorOptionsInput,
  resolveHrSimulatorOptions,
} from './hrSimulatorOptions.js';

/** URL path segment → resource name. */
const pathResources: Record<string, HrResourceName> = {
  workers: 'workers',
  'org-units': 'orgUnits',
  jobs: 'jobs',
};

/**
 * An HR system in the style of BambooHR/Workday REST APIs: `/v1/workers`, `/v1/org-units`,
 * `/v1/jobs`, with offset or cursor paging, an inclusive `updated_since` filter, a deleted-records
 * feed, and OAuth2 client credentials or an API key. See producers/simulators/README.md.
 */
export class HrSimulator extends SimulatorServer {
  readonly options: HrSimulatorOptions;

  constructor(input: HrSimulatorOptionsInput = {}, dependencies: SimulatorDependencies = {}) {
    const options = resolveHrSimulatorOptions(input);
    const [workers, orgUnits, jobs] = hrResources(options.seed, options.resolvedCounts);
    super(
      { kind: 'hr', seed: options.seed, faults: options.faults, churn: options.churn, auth: options.auth },
      [
        new SimulatedResource<HrWorker>(workers),
        new SimulatedResource<HrOrgUnit>(orgUnits),
        new SimulatedResource<HrJob>(jobs),
      ] as SimulatedResource<unknown>[],
      dependencies,
    );
    this.options = options;
  }

  override groundTruth(resource: 'workers'): GroundTruth<HrWorker>;
  override groundTruth(resource: 'orgUnits'): GroundTruth<HrOrgUnit>;
  override groundTruth(resource: 'jobs'): GroundTruth<HrJob>;
  override groundTruth(resource: string): GroundTruth;
  override groundTruth(resource: string): GroundTruth {
    return super.groundTruth(resource);
  }

  protected override async routePublic(
    method: string,
    url: URL,
    request: PublicRequest,
  ): Promise<JsonResponse | undefined> {
    if (url.pathname !== '/oauth/token' || this.options.auth.kind !== 'oauth2') return undefined;
    if (method !== 'POST') {
      return { status: 405, body: { error: 'invalid_request', error_description: 'use POST' } };
    }
    return this.auth.issueToken(new URLSearchParams(await request.body()), request.authorization);
  }

  protected override routeData(method: string, url: URL): DataHandler | undefined {
    if (method !== 'GET') return undefined;
    const match = /^\/v1\/(workers|org-units|jobs)(?:\/([^/]+))?$/.exec(url.pathname);
    if (match === null) return undefined;
    const resourceName = pathResources[match[1] ?? ''];
    if (resourceName === undefined) return undefined;
    const resource = this.resource(resourceName);
    const tail = match[2];
    if (tail === 'deleted') {
      return () =>
        this.listPage(url.searchParams, {
          offset: (since, offset, limit) => resource.store.tombstonesByOffset(since, offset, limit),
          after: (since, after, limit) => resource.store.tombstonesAfter(since, after, limit),
          render: (tombstone: Tombstone) => ({
            id: tombstone.id,
            deletedAt: new Date(tombstone.at).toISOString(),
          }),
          tokenResource: `${resourceName}/deleted`,
        });
    }
    if (tail !== undefined) {
      const id = decodeURIComponent(tail);
      return () => {
        const record = resource.store.get(id);
        if (record === undefined)
          throw new SimulatorHttpError(404, 'not_found', `${resourceName} ${id} not found`);
        return { status: 200, body: record };
      };
    }
    return () =>
      this.listPage(url.searchParams, {
        offset: (since, offset, limit) => resource.store.pageByOffset(since, offset, limit),
        after: (since, after, limit) => resource.store.pageAfter(since, after, limit),
        render: (entry: IndexEntry) => resource.store.record(entry),
        tokenResource: resourceName,
      });
  }

  private listPage<E extends { readonly id: string; readonly at: number }>(
    params: URLSearchParams,
    source: {
      offset: (since: number | undefined, offset: number, limit: number) => StorePage<E>;
      after: (
        since: number | undefined,
        after: { at: number; id: string } | undefined,
        limit: number,
      ) => StorePage<E>;
      render: (item: E) => unknown;
      tokenResource: string;
    },
  ): JsonResponse {
    const limit = intParam(params, 'limit', this.options.defaultPageSize, 1, this.options.maxPageSize);
    const cursor = params.get('cursor');
    const sinceRaw = params.get('updated_since');
    if (cursor !== null || params.get('paging') === 'cursor') {
      let since = sinceRaw === null ? undefined : instantParam(sinceRaw, 'updated_since');
      let after: { at: number; id: string } | undefined;
      if (cursor !== null && cursor !== '') {
        const token = decodeCursorToken(cursor, source.tokenResource);
        if (token === undefined)
          throw new SimulatorHttpError(400, 'invalid_cursor', 'cursor is not valid here');
        since = token.since;
        after = { at: token.at, id: token.id };
      }
      const page = source.after(since, after, limit);
      const last = page.items.at(-1);
      const next =
        page.hasMore && last !== undefined
          ? encodeCursorToken({
              r: source.tokenResource,
              at: last.at,
              id: last.id,
              ...(since === undefined ? {} : { since }),
            })
          : null;
      return { status: 200, body: { data: page.items.map(source.render), next_cursor: next } };
    }
    const since = sinceRaw === null ? undefined : instantParam(sinceRaw, 'updated_since');
    const offset = intParam(params, 'offset', 0, 0, Number.MAX_SAFE_INTEGER);
    const page = source.offset(since, offset, limit);
    return { status: 200, body: { data: page.items.map(source.render), offset, limit, total: page.total } };
  }
}
