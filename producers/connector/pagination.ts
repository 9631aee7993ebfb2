import { TributaryError } from '../../platform/errors.js';
import type { PaginationConfig } from './connectorDefinition.js';
import { getPath } from './recordSelector.js';

/** One page to fetch. */
export interface PageRequest {
  url: string;
  /** Extra headers the strategy needs (OData Prefer). */
  headers: Record<string, string>;
  /** What identifies this page in the raw envelope (page number, offset, token); null for the first. */
  pageToken: string | null;
}

/** What the previous page returned. */
export interface PageResult {
  body: unknown;
  headers: { get(name: string): string | null };
  records: readonly unknown[];
}

export interface Paginator {
  first(url: string): PageRequest;
  /** The next page, or null when the previous one was the last. */
  next(previous: PageRequest, result: PageResult): PageRequest | null;
}

/** Builds the strategy for a stream's pagination config. */
export function createPaginator(config: PaginationConfig): Paginator {
  switch (config.type) {
    case 'none':
      return { first: (url) => ({ url, headers: {}, pageToken: null }), next: () => null };
    case 'page-number':
      return pageNumberPaginator(config);
    case 'offset-limit':
      return offsetLimitPaginator(config);
    case 'cursor':
      return cursorPaginator(config);
    case 'link-header':
      return linkHeaderPaginator(config);
    case 'odata':
      return odataPaginator(config);
  }
}

function withParams(url: string, params: Record<string, string | number | null | undefined>): string {
  const parsed = new URL(url);
  for (const [name, value] of Object.entries(params)) {
    if (value !== null && value !== undefined) parsed.searchParams.set(name, String(value));
  }
  return parsed.toString();
}

function loopError(kind: string, url: string): TributaryError {
  return new TributaryError(
    'VALIDATION_FAILED',
    `${kind} pagination: the source returned the same next page again`,
    {
      retryable: false,
      details: { pagination: kind, path: new URL(url).pathname },
    },
  );
}

function pageNumberPaginator(config: Extract<PaginationConfig, { type: 'page-number' }>): Paginator {
  const sizeParams = config.pageSizeParam ? { [config.pageSizeParam]: config.pageSize } : {};
  return {
    first: (url) => ({
      url: withParams(url, { [config.pageParam]: config.startPage, ...sizeParams }),
      headers: {},
      pageToken: null,
    }),
    next(previous, result) {
      if (result.records.length === 0) return null;
      const current = Number(new URL(previous.url).searchParams.get(config.pageParam));
      if (config.totalPagesPath !== undefined) {
        const total = Number(getPath(result.body, config.totalPagesPath));
        if (Number.isFinite(total) && current >= config.startPage + total - 1) return null;
        if (!Number.isFinite(total) && result.records.length < config.pageSize) return null;
      } else if (result.records.length < config.pageSize) {
        return null;
      }
      const page = current + 1;
      return {
        url: withParams(previous.url, { [config.pageParam]: page }),
        headers: {},
        pageToken: String(page),
      };
    },
  };
}

/**
 * Offsets advance by the records actually received, not by the limit, so a server that caps the
 * page below our limit still pages correctly when it reports hasMore. Without hasMore a short
 * page ends the stream, which is only right if `limit` is within the server's maximum.
 */
function offsetLimitPaginator(config: Extract<PaginationConfig, { type: 'offset-limit' }>): Paginator {
  return {
    first: (url) => ({
      url: withParams(url, { [config.offsetParam]: config.startOffset, [config.limitParam]: config.limit }),
      headers: {},
      pageToken: null,
    }),
    next(previous, result) {
      if (result.records.length === 0) return null;
      const hasMore = config.hasMorePath === undefined ? undefined : getPath(result.body, config.hasMorePath);
      if (typeof hasMore === 'boolean') {
        if (!hasMore) return null;
      } else if (result.records.length < config.limit) {
        return null;
      }
      const offset =
        Number(new URL(previous.url).searchParams.get(config.offsetParam)) + result.records.length;
      return {
        url: withParams(previous.url, { [config.offsetParam]: offset }),
        headers: {},
        pageToken: String(offset),
      };
    },
  };
}

function cursorPaginator(config: Extract<PaginationConfig, { type: 'cursor' }>): Paginator {
  const sizeParams =
    config.pageSizeParam && config.pageSize ? { [config.pageSizeParam]: config.pageSize } : {};
  return {
    first: (url) => ({ url: withParams(url, sizeParams), headers: {}, pageToken: null }),
    next(previous, result) {
      const token = getPath(result.body, config.tokenPath);
      if (token === undefined || token === null || token === '' || token === false) return null;
      if (typeof token !== 'string' && typeof token !== 'number') {
        throw new TributaryError(
          'VALIDATION_FAILED',
          `cursor pagination: token at "${config.tokenPath}" is not a string`,
          {
            retryable: false,
            details: { tokenPath: config.tokenPath },
          },
        );
      }
      const value = String(token);
      if (value === previous.pageToken) throw loopError('cursor', previous.url);
      return { url: withParams(previous.url, { [config.tokenParam]: value }), headers: {}, pageToken: value };
    },
  };
}

function linkHeaderPaginator(config: Extract<PaginationConfig, { type: 'link-header' }>): Paginator {
  const sizeParams =
    config.pageSizeParam && config.pageSize ? { [config.pageSizeParam]: config.pageSize } : {};
  return {
    first: (url) => ({ url: withParams(url, sizeParams), headers: {}, pageToken: null }),
    next(previous, result) {
      const target = parseLinkHeader(result.headers.get('link')).get('next');
      if (!target) return null;
      const url = new URL(target, previous.url).toString();
      if (url === previous.url) throw loopError('link-header', previous.url);
      return { url, headers: {}, pageToken: new URL(url).search || url };
    },
  };
}

function odataPaginator(config: Extract<PaginationConfig, { type: 'odata' }>): Paginator {
  const headers: Record<string, string> = config.maxPageSize
    ? { prefer: `odata.maxpagesize=${config.maxPageSize}` }
    : {};
  return {
    first: (url) => ({ url, headers: { ...headers }, pageToken: null }),
    next(previous, result) {
      const link = getPath(result.body, config.nextLinkPath);
      if (typeof link !== 'string' || link === '') return null;
      // OData v4 allows a next link relative to the request URL.
      const url = new URL(link, previous.url).toString();
      if (url === previous.url) throw loopError('odata', previous.url);
      const skiptoken = new URL(url).searchParams.get('$skiptoken');
      return { url, headers: { ...headers }, pageToken: skiptoken ?? new URL(url).search };
    },
  };
}

/**
 * Parses an RFC 8288 (formerly 5988) Link header into rel → URI. Handles several links,
 * quoted and unquoted rel values, and space-separated rel lists (`rel="next last"`).
 */
export function parseLinkHeader(header: string | null | undefined): Map<string, string> {
  const links = new Map<string, string>();
  if (!header) return links;
  const pattern = /<([^>]*)>((?:\s*;\s*[^;,]+(?:=(?:"[^"]*"|[^;,]*))?)*)/g;
  for (const match of header.matchAll(pattern)) {
    const uri = match[1] ?? '';
    const params = match[2] ?? '';
    const rel = /;\s*rel\s*=\s*(?:"([^"]*)"|([^;,\s]+))/i.exec(params);
    const relValue = rel?.[1] ?? rel?.[2];
    if (!relValue) continue;
    for (const name of relValue.toLowerCase().split(/\s+/)) {
      if (name && !links.has(name)) links.set(name, uri);
    }
  }
  return links;
}

export interface TimeWindow {
  /** Inclusive, epoch ms. */
  fromMs: number;
  /** Exclusive, epoch ms. */
  toMs: number;
}

/**
 * Splits [fromMs, toMs) into consecutive windows of at most windowMs, so a long backfill can be
 * fetched as independent ranges in parallel. Windows share boundaries exactly (no gaps, no
 * overlap); the last one is shortened to end at toMs.
 */
export function sliceTimeWindows(fromMs: number, toMs: number, windowMs: number): TimeWindow[] {
  if (!Number.isFinite(fromMs) || !Number.isFinite(toMs)) {
    throw new TributaryError('USAGE', 'sliceTimeWindows: from and to must be finite epoch milliseconds');
  }
  if (!(windowMs > 0) || !Number.isFinite(windowMs)) {
    throw new TributaryError('USAGE', `sliceTimeWindows: windowMs must be > 0, got ${windowMs}`);
  }
  if (toMs < fromMs) throw new TributaryError('USAGE', 'sliceTimeWindows: to is before from');
  const windows: TimeWindow[] = [];
  for (let start = fromMs; start < toMs; start += windowMs) {
    windows.push({ fromMs: start, toMs: Math.min(start + windowMs, toMs) });
  }
  return windows;
}
