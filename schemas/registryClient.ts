import pkg from '@kafkajs/confluent-schema-registry';
import { TributaryError } from '../platform/errors.js';

const { SchemaRegistry } = pkg;

export type SchemaRegistryClient = InstanceType<typeof SchemaRegistry>;

/** A @kafkajs/confluent-schema-registry client for a ccompat (Confluent API) base URL. */
export function createRegistryClient(registryUrl: string): SchemaRegistryClient {
  return new SchemaRegistry({ host: registryUrl, clientId: 'tributary' });
}

/**
 * Translates registry client errors once, at the boundary: 409 (incompatible) and 422 (invalid
 * schema) are not retryable; network errors and 5xx are.
 */
export function translateRegistryError(error: unknown, action: string): TributaryError {
  if (error instanceof TributaryError) return error;
  // The client's own errors are not exported by the package; their class names are stable API.
  const name = error instanceof Error ? error.name : '';
  if (
    name === 'ConfluentSchemaRegistryValidationError' ||
    name === 'ConfluentSchemaRegistryArgumentError' ||
    name === 'ConfluentSchemaRegistryInvalidSchemaError'
  ) {
    const paths =
      typeof error === 'object' && error !== null && 'paths' in error && Array.isArray(error.paths)
        ? (error.paths as unknown[]).map(String)
        : [];
    return new TributaryError(
      'VALIDATION_FAILED',
      `${action}: ${(error as Error).message}${paths.length > 0 ? ` at ${paths.join(', ')}` : ''}`,
      {
        cause: error,
        details: { paths },
      },
    );
  }
  if (name === 'ConfluentSchemaRegistryCompatibilityError') {
    return new TributaryError('SCHEMA_INCOMPATIBLE', `${action}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  if (name === 'ConfluentSchemaRegistryError') {
    // Only raised bare for a 404 on a schema lookup (getRegistryIdBySchema).
    return new TributaryError('NOT_FOUND', `${action}: ${(error as Error).message}`, { cause: error });
  }
  const status =
    typeof error === 'object' && error !== null && 'status' in error && typeof error.status === 'number'
      ? error.status
      : undefined;
  const message = error instanceof Error ? error.message : String(error);
  if (status === 409) {
    return new TributaryError('SCHEMA_INCOMPATIBLE', `${action}: registry rejected the schema: ${message}`, {
      cause: error,
    });
  }
  if (status === 404) {
    return new TributaryError('NOT_FOUND', `${action}: ${message}`, { cause: error });
  }
  const retryable = status === undefined || status >= 500 || status === 429;
  return new TributaryError('HTTP_ERROR', `${action}: ${message}`, {
    cause: error,
    retryable,
    details: { status },
  });
}
