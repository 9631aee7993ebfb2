// The connector plumbing's public surface, named export by export (no `export *`), so what a
// connector may rely on is visible in one place.

export type { AccessToken, AccessTokenCache, AccessTokenCacheOptions } from './auth/accessTokenCache.js';
export { createAccessTokenCache } from './auth/accessTokenCache.js';
export type { ApiKeyOptions } from './auth/apiKey.js';
export { createApiKeyAuthenticator } from './auth/apiKey.js';
export type { Authenticator } from './auth/authenticator.js';
export { headerOf, withHeader } from './auth/authenticator.js';
export type { BasicAuthOptions } from './auth/basic.js';
export { createBasicAuthenticator } from './auth/basic.js';
export type { CreateAuthenticatorDeps } from './auth/createAuthenticator.js';
export { createAuthenticator, credentialQueryParams } from './auth/createAuthenticator.js';
export type { CustomSigningOptions, SigningContext, SignRequest } from './auth/customSigning.js';
export { createCustomSigningAuthenticator } from './auth/customSigning.js';
export type { OAuth2Authenticator, OAuth2ClientCredentialsOptions } from './auth/oauth2ClientCredentials.js';
export {
  bearerAuthenticator,
  createOAuth2ClientCredentialsAuthenticator,
} from './auth/oauth2ClientCredentials.js';
export type { OAuth2RefreshTokenOptions } from './auth/oauth2RefreshToken.js';
export { createOAuth2RefreshTokenAuthenticator } from './auth/oauth2RefreshToken.js';
export type { OAuth2TokenRequest, OAuth2TokenResult } from './auth/oauth2TokenRequest.js';
export { requestOAuth2Token } from './auth/oauth2TokenRequest.js';
export { sendWithAuth } from './auth/sendWithAuth.js';
export { writeFileAtomic } from './auth/writeFileAtomic.js';
export type {
  CircuitBreakerOptions,
  CircuitBreakerOptionsInput,
  CircuitBreakers,
  CircuitBreakersInput,
  CircuitState,
  EndpointCircuitBreaker,
} from './circuitBreaker.js';
export {
  circuitStateValue,
  countsAsCircuitFailure,
  createCircuitBreakers,
  resolveCircuitBreakerOptions,
} from './circuitBreaker.js';
export type { Clock } from './clock.js';
export { FakeClock, flushMicrotasks, systemClock } from './clock.js';
export type {
  AuthConfig,
  ConnectorDefinition,
  ConnectorDefinitionInput,
  CursorFormat,
  DeleteSignal,
  PaginationConfig,
  SecretRefConfig,
  SourceDefinition,
  StreamCursorDefinition,
  StreamDefinition,
} from './connectorDefinition.js';
export {
  authSchema,
  circuitBreakerConfigSchema,
  connectorDefinitionSchema,
  cursorFormatSchema,
  defineConnector,
  deleteSignalSchema,
  paginationSchema,
  rateLimitSchema,
  secretRefSchema,
  sourceSchema,
  streamCursorSchema,
  streamSchema,
  timeoutsSchema,
} from './connectorDefinition.js';
export type { SourcePlumbing, SourcePlumbingDeps } from './createSourcePlumbing.js';
export { createSourcePlumbing } from './createSourcePlumbing.js';
export type {
  HttpClient,
  HttpClientOptions,
  HttpClientOptionsInput,
  HttpErrorDetails,
  HttpRequest,
  HttpRequestContext,
  HttpResponse,
} from './http.js';
export { createHttpClient, HttpError, resolveHttpClientOptions } from './http.js';
export type { EventIdParts } from './idempotency.js';
export { canonicalJson, contentHash, eventId, naturalKeyOf } from './idempotency.js';
export type { ConnectorMetrics } from './metrics.js';
export { createConnectorMetrics } from './metrics.js';
export type { PageRequest, PageResult, Paginator, TimeWindow } from './pagination.js';
export { createPaginator, parseLinkHeader, sliceTimeWindows } from './pagination.js';
export type { RateLimiter, RateLimiterOptions, RateLimiterOptionsInput } from './rateLimiter.js';
export { createRateLimiter, resolveRateLimiterOptions } from './rateLimiter.js';
export { getPath, selectRecords } from './recordSelector.js';
export type { RetryAttemptInfo, RetryOptions, RetryPolicy, RetryPolicyInput } from './retry.js';
export {
  backoffMs,
  isRetryableStatus,
  parseRetryAfter,
  resolveRetryPolicy,
  retry,
  retryAfterOf,
  retryDelayMs,
  retryPolicySchema,
} from './retry.js';
export type { SecretRef, SecretSources } from './secrets.js';
export { readSecret, Secret } from './secrets.js';
export { Semaphore } from './semaphore.js';
export type { SourceRequest, SourceRequester, SourceRequesterDeps } from './sourceRequester.js';
export { createSourceRequester } from './sourceRequester.js';
export type { CursorFields, TieSafeCursor } from './tieSafeCursor.js';
export {
  advanceCursor,
  advanceCursorOver,
  compareCursors,
  compareIds,
  cursorEpochMs,
  cursorOfRecord,
  formatCursorParam,
  isAfterCursor,
  normalizeTimestamp,
  parseCursor,
  serializeCursor,
  syncLowerBoundMs,
  tieSafeCursorSchema,
} from './tieSafeCursor.js';
