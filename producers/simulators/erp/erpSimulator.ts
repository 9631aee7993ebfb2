import type { IncomingHttpHeaders } from 'node:http';
import { decodeCursorToken, encodeCursorToken } from '../cursorToken.js';
import { type JsonResponse, SimulatorHttpError } from '../httpKit.js';
import type { StorePage } from '../recordStore.js';
import { SimulatedResource } from '../simulatedResource.js';
import {
  type DataHandler,
  type GroundTruth,
  type SimulatorDependencies,
  SimulatorServer,
} from '../simulatorServer.js';
import {
  type ErpCostCenter,
  type ErpExchangeRate,
  type ErpGLAccount,
  type ErpInvoice,
  type ErpVendor,
  erpEntitySets,
} from './erpRecords.js';
import { erpResources } from './erpResources.js';
import {
  type ErpSimulatorOptions,
  type ErpSimulatorOptionsInput,
  resolveErpSimulatorOptions,
} from './erpSimulatorOptions.js';
import { type ODataQuery, parseODataQuery, preferredPageSize } from './odataQuery.js';

const servicePath = '/odata/v4';

interface PageSource<E extends { readonly id: string; readonly at: number }> {
  readonly set: string;
  readonly query: ODataQuery;
  readonly offset: (since: number | undefined, offset: number, limit: number) => StorePage<E>;
  readonly after: (
    since: number | undefined,
    after: { at: number; id: string },
    limit: number,
  ) => StorePage<E>;
  readonly render: (item: E) => unknown;
}

/**
 * An ERP/finance system in the style of SAP S/4HANA OData v4 services: entity sets Vendors,
 * Invoices (with Lines via $expand), CostCenters, GLAccounts, and Deleted<Set> feeds; server-driven
 * paging with `$skiptoken` and `@odata.nextLink` (also sent as a `Link` header), `$filter` on
 * `LastChangeDateTime`, Basic or API key auth. See producers/simulators/README.md.
 */
export class ErpSimulator extends SimulatorServer {
  readonly options: ErpSimulatorOptions;

  constructor(input: ErpSimulatorOptionsInput = {}, dependencies: SimulatorDependencies = {}) {
    const options = resolveErpSimulatorOptions(input);
    const [vendors, invoices, costCenters, glAccounts, exchangeRates] = erpResources(
      options.seed,
      options.resolvedCounts,
    );
    super(
      { kind: 'erp', seed: options.seed, faults: options.faults, churn: options.churn, auth: options.auth },
      [
        new SimulatedResource<ErpVendor>(vendors),
        new SimulatedResource<ErpInvoice>(invoices),
        new SimulatedResource<ErpCostCenter>(costCenters),
        new SimulatedResource<ErpGLAccount>(glAccounts),
        new SimulatedResource<ErpExchangeRate>(exchangeRates),
      ] as SimulatedResource<unknown>[],
      dependencies,
    );
    this.options = options;
  }

  override groundTruth(resource: 'vendors'): GroundTruth<ErpVendor>;
  override groundTruth(resource: 'invoices'): GroundTruth<ErpInvoice>;
  override groundTruth(resource: 'costCenters'): GroundTruth<ErpCostCenter>;
  override groundTruth(resource: 'glAccounts'): GroundTruth<ErpGLAccount>;
  override groundTruth(resource: string): GroundTruth;
  override groundTruth(resource: string): GroundTruth {
    return super.groundTruth(resource);
  }

  protected override errorBody(code: string, message: string): unknown {
    return { error: { code, message } };
  }

  protected override routeData(
    method: string,
    url: URL,
    headers: IncomingHttpHeaders,
  ): DataHandler | undefined {
    if (method !== 'GET' || !url.pathname.startsWith(servicePath)) return undefined;
    const path = url.pathname.slice(servicePath.length);
    if (path === '' || path === '/') return () => this.serviceDocument(url);
    const match = /^\/(Deleted)?([A-Za-z]+)(?:\('([^']*)'\))?$/.exec(decodeURIComponent(path));
    if (match === null) return undefined;
    const deleted = match[1] !== undefined;
    const set = match[2] ?? '';
    const entitySet = erpEntitySets[set];
    if (entitySet === undefined) return undefined;
    const store = this.resource(entitySet.resource).store;
    const key = match[3];
    if (key !== undefined) {
      if (deleted) return undefined;
      return () => {
        const record = store.get(key);
        if (record === undefined) throw new SimulatorHttpError(404, 'NotFound', `${set}('${key}') not found`);
        return {
          status: 200,
          body: {
            '@odata.context': `${url.origin}${servicePath}/$metadata#${set}/$entity`,
            ...this.shape(set, record, url),
          },
          headers: { 'odata-version': '4.0' },
        };
      };
    }
    const pageSize = Math.min(
      preferredPageSize(headers.prefer) ?? this.options.defaultPageSize,
      this.options.maxPageSize,
    );
    const preferenceApplied = preferredPageSize(headers.prefer) !== undefined;
    if (deleted) {
      return () => {
        const query = parseODataQuery(url.searchParams, {
          timeField: 'DeletionDateTime',
          key: 'ID',
          expandable: [],
        });
        return this.collection(url, `Deleted${set}`, pageSize, preferenceApplied, {
          set: `Deleted${set}`,
          query,
          offset: (since, offset, limit) => store.tombstonesByOffset(since, offset, limit),
          after: (since, after, limit) => store.tombstonesAfter(since, after, limit),
          render: (tombstone) => ({
            ID: tombstone.id,
            DeletionDateTime: new Date(tombstone.at).toISOString(),
          }),
        });
      };
    }
    return () => {
      const query = parseODataQuery(url.searchParams, {
        timeField: 'LastChangeDateTime',
        key: entitySet.key,
        expandable: set === 'Invoices' ? ['Lines'] : [],
      });
      return this.collection(url, set, pageSize, preferenceApplied, {
        set,
        query,
        offset: (since, offset, limit) => store.pageByOffset(since, offset, limit),
        after: (since, after, limit) => store.pageAfter(since, after, limit),
        render: (entry) => this.shape(set, store.record(entry), url, query.expand),
      });
    };
  }

  /** Navigation properties (invoice Lines) are only inlined when $expand names them. */
  private shape(set: string, record: unknown, url: URL, expand?: readonly string[]): Record<string, unknown> {
    if (set !== 'Invoices') return record as Record<string, unknown>;
    const wanted = expand ?? (url.searchParams.get('$expand') ?? '').split(',').map((part) => part.trim());
    if (wanted.includes('Lines')) return record as Record<string, unknown>;
    const { Lines: _lines, ...header } = record as ErpInvoice;
    return header;
  }

  private collection<E extends { readonly id: string; readonly at: number }>(
    url: URL,
    set: string,
    pageSize: number,
    preferenceApplied: boolean,
    source: PageSource<E>,
  ): JsonResponse {
    const { query } = source;
    const take = Math.min(pageSize, query.top ?? Number.MAX_SAFE_INTEGER);
    let page: StorePage<E>;
    if (query.skiptoken !== undefined) {
      const token = decodeCursorToken(query.skiptoken, set);
      if (token === undefined)
        throw new SimulatorHttpError(400, 'BadRequest', '$skiptoken is not valid here');
      page = source.after(query.since, { at: token.at, id: token.id }, take);
    } else {
      page = source.offset(query.since, query.skip, take);
    }
    const remainingTop = query.top === undefined ? undefined : query.top - page.items.length;
    const last = page.items.at(-1);
    let nextLink: string | undefined;
    if (page.hasMore && last !== undefined && (remainingTop === undefined || remainingTop > 0)) {
      const next = new URL(`${url.origin}${url.pathname}`);
      for (const name of ['$filter', '$expand', '$orderby', '$count']) {
        const value = url.searchParams.get(name);
        if (value !== null) next.searchParams.set(name, value);
      }
      if (remainingTop !== undefined) next.searchParams.set('$top', String(remainingTop));
      next.searchParams.set('$skiptoken', encodeCursorToken({ r: set, at: last.at, id: last.id }));
      nextLink = next.toString();
    }
    const body: Record<string, unknown> = {
      '@odata.context': `${url.origin}${servicePath}/$metadata#${set}`,
    };
    if (query.count) body['@odata.count'] = page.total;
    body['value'] = page.items.map(source.render);
    if (nextLink !== undefined) body['@odata.nextLink'] = nextLink;
    const headers: Record<string, string> = { 'odata-version': '4.0' };
    if (preferenceApplied) headers['preference-applied'] = `odata.maxpagesize=${pageSize}`;
    if (nextLink !== undefined) headers['link'] = `<${nextLink}>; rel="next"`;
    return { status: 200, body, headers };
  }

  private serviceDocument(url: URL): JsonResponse {
    const sets = Object.keys(erpEntitySets).flatMap((set) => [set, `Deleted${set}`]);
    return {
      status: 200,
      body: {
        '@odata.context': `${url.origin}${servicePath}/$metadata`,
        value: sets.map((name) => ({ name, kind: 'EntitySet', url: name })),
      },
      headers: { 'odata-version': '4.0' },
    };
  }
}
