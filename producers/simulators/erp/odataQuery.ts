import { instantParam, SimulatorHttpError } from '../httpKit.js';

/** The subset of OData v4 system query options the ERP simulator understands. */
export interface ODataQuery {
  /** Lower bound on the change-time field, epoch ms, inclusive (`gt` is turned into `ge` + 1 ms). */
  readonly since: number | undefined;
  /** `$top`: how many entities the client wants in total, across pages. */
  readonly top: number | undefined;
  /** `$skip`: entities to skip before the first page. */
  readonly skip: number;
  readonly skiptoken: string | undefined;
  /** `$count=true`: include `@odata.count`. */
  readonly count: boolean;
  readonly expand: readonly string[];
}

const supported = new Set([
  '$filter',
  '$top',
  '$skip',
  '$skiptoken',
  '$count',
  '$expand',
  '$orderby',
  '$format',
]);

function nonNegativeInt(raw: string | null, name: string): number | undefined {
  if (raw === null) return undefined;
  if (!/^\d+$/.test(raw))
    throw new SimulatorHttpError(400, 'BadRequest', `${name} must be a non-negative integer`);
  return Number(raw);
}

/**
 * Parses `$filter=<timeField> ge|gt <instant>` (the instant bare, quoted, or as
 * datetimeoffset'…'), `$orderby` by the change time (and key), `$top`, `$skip`, `$skiptoken`,
 * `$count`, `$expand`. Anything else starting with `$` is rejected, as a strict server would.
 */
export function parseODataQuery(
  params: URLSearchParams,
  options: { readonly timeField: string; readonly key: string; readonly expandable: readonly string[] },
): ODataQuery {
  for (const name of params.keys()) {
    if (name.startsWith('$') && !supported.has(name)) {
      throw new SimulatorHttpError(400, 'NotImplemented', `query option ${name} is not supported`);
    }
  }
  let since: number | undefined;
  const filter = params.get('$filter');
  if (filter !== null) {
    const match = new RegExp(
      `^\\s*${options.timeField}\\s+(ge|gt)\\s+(?:datetimeoffset)?'?([^'\\s]+)'?\\s*$`,
    ).exec(filter);
    if (match === null) {
      throw new SimulatorHttpError(
        400,
        'BadRequest',
        `$filter supports only "${options.timeField} ge <instant>" or "${options.timeField} gt <instant>"`,
      );
    }
    const instant = instantParam(match[2] ?? '', '$filter instant');
    since = match[1] === 'gt' ? instant + 1 : instant;
  }
  const orderby = params.get('$orderby');
  if (orderby !== null) {
    const normalized = orderby.replace(/\s+asc\b/g, '').replace(/\s+/g, '');
    if (normalized !== options.timeField && normalized !== `${options.timeField},${options.key}`) {
      throw new SimulatorHttpError(
        400,
        'NotImplemented',
        `$orderby supports only ${options.timeField},${options.key}`,
      );
    }
  }
  const expandRaw = params.get('$expand');
  const expand =
    expandRaw === null || expandRaw === '' ? [] : expandRaw.split(',').map((part) => part.trim());
  for (const item of expand) {
    if (!options.expandable.includes(item)) {
      throw new SimulatorHttpError(400, 'BadRequest', `cannot $expand ${item}`);
    }
  }
  const countRaw = params.get('$count');
  if (countRaw !== null && countRaw !== 'true' && countRaw !== 'false') {
    throw new SimulatorHttpError(400, 'BadRequest', '$count must be true or false');
  }
  return {
    since,
    top: nonNegativeInt(params.get('$top'), '$top'),
    skip: nonNegativeInt(params.get('$skip'), '$skip') ?? 0,
    skiptoken: params.get('$skiptoken') ?? undefined,
    count: countRaw === 'true',
    expand,
  };
}

/** `Prefer: odata.maxpagesize=N` (RFC 7240 / OData 4.0 §8.2.8.7), or undefined. */
export function preferredPageSize(prefer: string | string[] | undefined): number | undefined {
  const value = Array.isArray(prefer) ? prefer.join(',') : prefer;
  const match = value === undefined ? null : /odata\.maxpagesize\s*=\s*(\d+)/i.exec(value);
  return match === null ? undefined : Number(match[1]);
}
