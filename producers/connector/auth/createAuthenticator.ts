import type { Clock } from '../clock.js';
import type { AuthConfig } from '../connectorDefinition.js';
import type { HttpClient } from '../http.js';
import type { ConnectorMetrics } from '../metrics.js';
import { readSecret, type Secret, type SecretSources } from '../secrets.js';
import { createApiKeyAuthenticator } from './apiKey.js';
import type { Authenticator } from './authenticator.js';
import { createBasicAuthenticator } from './basic.js';
import { createCustomSigningAuthenticator } from './customSigning.js';
import { createOAuth2ClientCredentialsAuthenticator } from './oauth2ClientCredentials.js';
import { createOAuth2RefreshTokenAuthenticator } from './oauth2RefreshToken.js';

export interface CreateAuthenticatorDeps {
  /** Client for token endpoints (same source name as the data client). */
  http: HttpClient;
  clock: Clock;
  metrics?: ConnectorMetrics;
  secrets?: SecretSources;
}

const noAuth: Authenticator = {
  apply: async (request) => request,
  onUnauthorized: async () => false,
};

/** Resolves a definition's auth block into a working Authenticator, reading its secrets once. */
export async function createAuthenticator(
  config: AuthConfig,
  deps: CreateAuthenticatorDeps,
): Promise<Authenticator> {
  const secret = (ref: Parameters<typeof readSecret>[0]): Promise<Secret> => readSecret(ref, deps.secrets);
  const metrics = deps.metrics ? { metrics: deps.metrics } : {};
  switch (config.type) {
    case 'none':
      return noAuth;
    case 'oauth2-client-credentials':
      return createOAuth2ClientCredentialsAuthenticator({
        http: deps.http,
        clock: deps.clock,
        tokenUrl: config.tokenUrl,
        clientId: await secret(config.clientId),
        clientSecret: await secret(config.clientSecret),
        ...(config.scope === undefined ? {} : { scope: config.scope }),
        clientAuth: config.clientAuth,
        refreshSkewMs: config.refreshSkewMs,
        ...metrics,
      });
    case 'oauth2-refresh-token':
      return createOAuth2RefreshTokenAuthenticator({
        http: deps.http,
        clock: deps.clock,
        tokenUrl: config.tokenUrl,
        clientId: await secret(config.clientId),
        clientSecret: await secret(config.clientSecret),
        refreshTokenFile: config.refreshTokenFile,
        ...(config.scope === undefined ? {} : { scope: config.scope }),
        clientAuth: config.clientAuth,
        refreshSkewMs: config.refreshSkewMs,
        ...metrics,
      });
    case 'api-key':
      return createApiKeyAuthenticator({
        in: config.in,
        name: config.name,
        value: await secret(config.value),
        prefix: config.prefix,
      });
    case 'basic':
      return createBasicAuthenticator({
        username: await secret(config.username),
        password: await secret(config.password),
      });
    case 'custom': {
      const secrets: Record<string, Secret> = {};
      for (const [name, ref] of Object.entries(config.secrets)) secrets[name] = await secret(ref);
      return createCustomSigningAuthenticator({ sign: config.sign, clock: deps.clock, secrets });
    }
  }
}

/** Query parameters that carry credentials for this auth config, to redact from URLs in errors. */
export function credentialQueryParams(config: AuthConfig): string[] {
  return config.type === 'api-key' && config.in === 'query' ? [config.name] : [];
}
