import type { Counter, Gauge, Registry } from 'prom-client';
import { ensureCounter, ensureGauge } from '../../platform/metrics.js';

/**
 * Connector plumbing metrics. Labels are bounded: source and stream names come from connector
 * definitions, status is an HTTP code or one of a few failure words, endpoint is a stream's path
 * template — never record ids, URLs with query strings, or tokens.
 */
export interface ConnectorMetrics {
  /** status: HTTP status code, or timeout | network_error | too_large. */
  requests: Counter<'source' | 'stream' | 'status'>;
  /** reason: HTTP status code or the error code that caused the retry. */
  retries: Counter<'source' | 'stream' | 'reason'>;
  rateLimitWaits: Counter<'source'>;
  rateLimitWaitSeconds: Counter<'source'>;
  /** 0 closed, 1 half-open, 2 open. */
  circuitState: Gauge<'source' | 'endpoint'>;
  /** Requests rejected because the circuit was open. */
  circuitRejections: Counter<'source' | 'endpoint'>;
  tokenRefreshes: Counter<'source' | 'outcome'>;
}

export function createConnectorMetrics(registry: Registry): ConnectorMetrics {
  return {
    requests: ensureCounter(registry, 'tributary_connector_requests_total', 'HTTP requests to sources', [
      'source',
      'stream',
      'status',
    ]),
    retries: ensureCounter(registry, 'tributary_connector_retries_total', 'Retried source requests', [
      'source',
      'stream',
      'reason',
    ]),
    rateLimitWaits: ensureCounter(
      registry,
      'tributary_connector_rate_limit_waits_total',
      'Requests that had to wait for the rate limiter',
      ['source'],
    ),
    rateLimitWaitSeconds: ensureCounter(
      registry,
      'tributary_connector_rate_limit_wait_seconds_total',
      'Time spent waiting for the rate limiter',
      ['source'],
    ),
    circuitState: ensureGauge(
      registry,
      'tributary_connector_circuit_state',
      'Circuit breaker state per source endpoint: 0 closed, 1 half-open, 2 open',
      ['source', 'endpoint'],
    ),
    circuitRejections: ensureCounter(
      registry,
      'tributary_connector_circuit_rejections_total',
      'Requests refused because the circuit was open',
      ['source', 'endpoint'],
    ),
    tokenRefreshes: ensureCounter(
      registry,
      'tributary_connector_token_refreshes_total',
      'OAuth2 access token requests by outcome',
      ['source', 'outcome'],
    ),
  };
}
