import { describe, expect, it } from 'vitest';
import type { PaginationConfig } from '../../../producers/connector/connectorDefinition.js';
import {
  createPaginator,
  type PageRequest,
  parseLinkHeader,
  sliceTimeWindows,
} from '../../../producers/connector/pagination.js';
import { getPath, selectRecords } from '../../../producers/connector/recordSelector.js';
import { seededRandom } from './helpers/prng.js';

const noHeaders = { get: () => null };
const records = (n: number): unknown[] => Array.from({ length: n }, (_, i) => ({ id: i }));
const query = (page: PageRequest | null): Record<string, string> =>
  page ? Object.fromEntries(new URL(page.url).searchParams) : {};

/** Pages through a fake API (answer per request) and returns every request made. */
function walk(
  config: PaginationConfig,
  answer: (req: PageRequest, index: number) => { body: unknown; records: unknown[]; link?: string },
) {
  const paginator = createPaginator(config);
  const seen: PageRequest[] = [];
  let request: PageRequest | null = paginator.first('https://api.example.com/v1/items?status=active');
  while (request && seen.length < 100) {
    seen.push(request);
    const page = answer(request, seen.length - 1);
    request = paginator.next(request, {
      body: page.body,
      records: page.records,
      headers: { get: (name) => (name === 'link' ? (page.link ?? null) : null) },
    });
  }
  return seen;
}

describe('page-number', () => {
  const config: PaginationConfig = {
    type: 'page-number',
    pageParam: 'page',
    pageSizeParam: 'size',
    pageSize: 10,
    startPage: 1,
  };
  it('advances the page and stops on a short page', () => {
    const pages = walk(config, (_r, i) => ({ body: {}, records: records(i < 2 ? 10 : 4) }));
    expect(pages.map(query)).toEqual([
      { status: 'active', page: '1', size: '10' },
      { status: 'active', page: '2', size: '10' },
      { status: 'active', page: '3', size: '10' },
    ]);
    expect(pages.map((p) => p.pageToken)).toEqual([null, '2', '3']);
  });
  it('stops at the reported total pages even when the last page is full', () => {
    const pages = walk({ ...config, totalPagesPath: 'meta.totalPages' }, () => ({
      body: { meta: { totalPages: 2 } },
      records: records(10),
    }));
    expect(pages).toHaveLength(2);
  });
  it('stops on an empty page', () => {
    expect(walk(config, () => ({ body: {}, records: [] }))).toHaveLength(1);
  });
});

describe('offset-limit', () => {
  const config: PaginationConfig = {
    type: 'offset-limit',
    offsetParam: 'offset',
    limitParam: 'limit',
    limit: 5,
    startOffset: 0,
  };
  it('advances by records received and stops on a short page', () => {
    const pages = walk(config, (_r, i) => ({ body: {}, records: records(i < 2 ? 5 : 1) }));
    expect(pages.map((p) => query(p)['offset'])).toEqual(['0', '5', '10']);
  });
  it('follows hasMore (NetSuite style) even when the server caps the page below the limit', () => {
    const pages = walk({ ...config, hasMorePath: 'hasMore' }, (_r, i) => ({
      body: { hasMore: i < 2 },
      records: records(3),
    }));
    expect(pages.map((p) => query(p)['offset'])).toEqual(['0', '3', '6']);
  });
  it('hasMore false ends even on a full page', () => {
    expect(
      walk({ ...config, hasMorePath: 'hasMore' }, () => ({ body: { hasMore: false }, records: records(5) })),
    ).toHaveLength(1);
  });
});

describe('cursor / next token', () => {
  const config: PaginationConfig = {
    type: 'cursor',
    tokenPath: 'meta.next',
    tokenParam: 'cursor',
    pageSizeParam: 'limit',
    pageSize: 50,
  };
  it('sends back the token until it is missing', () => {
    const tokens = ['abc', 'def', null];
    const pages = walk(config, (_r, i) => ({ body: { meta: { next: tokens[i] } }, records: records(1) }));
    expect(pages.map(query)).toEqual([
      { status: 'active', limit: '50' },
      { status: 'active', limit: '50', cursor: 'abc' },
      { status: 'active', limit: '50', cursor: 'def' },
    ]);
  });
  it('refuses a token that repeats (the source would loop forever)', () => {
    expect(() => walk(config, () => ({ body: { meta: { next: 'same' } }, records: records(1) }))).toThrow(
      /same next page/,
    );
  });
});

describe('Link header', () => {
  it('parses rel="next" among several links, quoted or not, relative or absolute', () => {
    const links = parseLinkHeader(
      '<https://api.example.com/items?page=3>; rel="next", <https://api.example.com/items?page=9>; rel=last, <./p1>; rel="first prev"',
    );
    expect(links.get('next')).toBe('https://api.example.com/items?page=3');
    expect(links.get('last')).toBe('https://api.example.com/items?page=9');
    expect(links.get('prev')).toBe('./p1');
    expect(parseLinkHeader(null).size).toBe(0);
  });
  it('follows next links, resolving relative ones, until absent', () => {
    const next = [
      '</v1/items?page=2>; rel="next"',
      '<https://api.example.com/v1/items?page=3>; rel="next"',
      undefined,
    ];
    const pages = walk({ type: 'link-header' }, (_r, i) => ({
      body: [],
      records: records(1),
      ...(next[i] ? { link: next[i] } : {}),
    }));
    expect(pages.map((p) => p.url)).toEqual([
      'https://api.example.com/v1/items?status=active',
      'https://api.example.com/v1/items?page=2',
      'https://api.example.com/v1/items?page=3',
    ]);
  });
});

describe('OData nextLink / $skiptoken', () => {
  it('follows @odata.nextLink and records the $skiptoken; asks for a page size through Prefer', () => {
    const links = [
      "A_Supplier?$skiptoken='X1'",
      "https://api.example.com/v1/A_Supplier?$skiptoken='X2'",
      undefined,
    ];
    const pages = walk({ type: 'odata', nextLinkPath: '@odata.nextLink', maxPageSize: 200 }, (_r, i) => ({
      body: { value: records(2), ...(links[i] ? { '@odata.nextLink': links[i] } : {}) },
      records: records(2),
    }));
    expect(pages.map((p) => p.pageToken)).toEqual([null, "'X1'", "'X2'"]);
    // WHATWG URL percent-encodes the quotes; servers decode them back.
    expect(pages[1]?.url).toBe('https://api.example.com/v1/A_Supplier?$skiptoken=%27X1%27');
    expect(pages.every((p) => p.headers['prefer'] === 'odata.maxpagesize=200')).toBe(true);
  });
});

describe('no pagination', () => {
  it('fetches one page', () => {
    const paginator = createPaginator({ type: 'none' });
    const first = paginator.first('https://x.example/a');
    expect(paginator.next(first, { body: {}, records: records(100), headers: noHeaders })).toBeNull();
  });
});

describe('record selection', () => {
  it('reads dot paths, keys containing dots whole', () => {
    expect(getPath({ data: { items: [1] } }, 'data.items')).toEqual([1]);
    expect(getPath({ '@odata.nextLink': 'x' }, '@odata.nextLink')).toBe('x');
    expect(getPath([1, 2], '')).toEqual([1, 2]);
    expect(getPath({ a: 1 }, 'a.b')).toBeUndefined();
  });
  it('a page without its record array is a retryable validation error', () => {
    expect(selectRecords({ value: [{ id: 1 }] }, 'value')).toEqual([{ id: 1 }]);
    expect(() => selectRecords({ error: 'oops' }, 'value')).toThrow(
      expect.objectContaining({ code: 'VALIDATION_FAILED', retryable: true }),
    );
  });
});

describe('sliceTimeWindows', () => {
  it('covers [from, to) with adjacent windows, the last one shortened', () => {
    expect(sliceTimeWindows(0, 250, 100)).toEqual([
      { fromMs: 0, toMs: 100 },
      { fromMs: 100, toMs: 200 },
      { fromMs: 200, toMs: 250 },
    ]);
    expect(sliceTimeWindows(5, 5, 100)).toEqual([]);
  });
  it('never leaves a gap or an overlap (randomised)', () => {
    const random = seededRandom(42);
    for (let i = 0; i < 200; i++) {
      const from = Math.floor(random() * 1e12);
      const to = from + Math.floor(random() * 1e9);
      const windowMs = 1 + Math.floor(random() * 1e8);
      const windows = sliceTimeWindows(from, to, windowMs);
      expect(windows[0]?.fromMs ?? to).toBe(from);
      expect(windows.at(-1)?.toMs ?? from).toBe(to);
      for (let w = 1; w < windows.length; w++) expect(windows[w]?.fromMs).toBe(windows[w - 1]?.toMs);
      expect(windows.every((win) => win.toMs > win.fromMs && win.toMs - win.fromMs <= windowMs)).toBe(true);
    }
  });
  it('rejects a non-positive window or a reversed range', () => {
    expect(() => sliceTimeWindows(0, 10, 0)).toThrow(/windowMs/);
    expect(() => sliceTimeWindows(10, 0, 5)).toThrow(/before/);
  });
});
