import type { IncomingMessage, ServerResponse } from 'node:http';

/** A computed JSON answer; the server decides how (and whether, under a fault) it is delivered. */
export interface JsonResponse {
  readonly status: number;
  readonly body: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

/** Thrown by route handlers for client errors; becomes a JSON error response. */
export class SimulatorHttpError extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: string,
    message: string,
  ) {
    super(message);
    this.name = 'SimulatorHttpError';
  }
}

export function serializeJson(response: JsonResponse): { body: Buffer; headers: Record<string, string> } {
  const body = Buffer.from(JSON.stringify(response.body));
  return {
    body,
    headers: {
      'content-type': 'application/json; charset=utf-8',
      'content-length': String(body.length),
      ...response.headers,
    },
  };
}

export function sendJson(res: ServerResponse, response: JsonResponse): void {
  const { body, headers } = serializeJson(response);
  res.writeHead(response.status, headers);
  res.end(body);
}

/** Reads a request body up to `limit` bytes (admin and token requests are small). */
export async function readBody(req: IncomingMessage, limit = 1_000_000): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > limit) throw new SimulatorHttpError(413, 'payload_too_large', `body over ${limit} bytes`);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Parses a JSON request body; an empty body is an empty object. */
export async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  const text = await readBody(req);
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new SimulatorHttpError(400, 'invalid_json', 'request body is not valid JSON');
  }
}

/** Parses an integer query parameter within bounds, or returns the fallback when absent. */
export function intParam(
  params: URLSearchParams,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  const raw = params.get(name);
  if (raw === null || raw === '') return fallback;
  if (!/^\d+$/.test(raw))
    throw new SimulatorHttpError(400, 'invalid_parameter', `${name} must be an integer`);
  const value = Number(raw);
  if (value < min || value > max) {
    throw new SimulatorHttpError(400, 'invalid_parameter', `${name} must be between ${min} and ${max}`);
  }
  return value;
}

/**
 * Parses an ISO 8601 instant with an explicit zone (Z or ±hh:mm). Date-only or zone-less values
 * are rejected: an "updated since" without a zone is ambiguous, and real APIs reject it too.
 */
export function instantParam(raw: string, name: string): number {
  const match = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/.test(raw);
  const value = Date.parse(raw);
  if (!match || Number.isNaN(value)) {
    throw new SimulatorHttpError(400, 'invalid_parameter', `${name} must be an ISO 8601 instant with a zone`);
  }
  return value;
}
