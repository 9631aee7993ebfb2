import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, parseConfig } from '../../platform/config.js';
import { TributaryError } from '../../platform/errors.js';
import { localEndpoints } from '../../platform/stack/paths.js';

function failure(run: () => unknown): TributaryError {
  try {
    run();
  } catch (error) {
    if (error instanceof TributaryError) return error;
    throw error;
  }
  throw new Error('expected a configuration error');
}

describe('configuration', () => {
  it('defaults to the local stack endpoints', () => {
    const config = parseConfig({});
    expect(config.KAFKA_BROKERS).toEqual([localEndpoints.kafka]);
    expect(config.SCHEMA_REGISTRY_URL).toBe(localEndpoints.registry);
    expect(localEndpoints.kafka).toBe(`127.0.0.1:${process.env['TRIBUTARY_KAFKA_PORT'] ?? 19092}`);
    expect(config.DATABASE_URL).toBe('postgres://postgres@127.0.0.1:5432/tributary');
  });

  it('splits and validates broker lists', () => {
    expect(parseConfig({ KAFKA_BROKERS: 'b1:9092, b2:9094' }).KAFKA_BROKERS).toEqual(['b1:9092', 'b2:9094']);
    const error = failure(() => parseConfig({ KAFKA_BROKERS: 'b1' }));
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toContain('KAFKA_BROKERS');
  });

  it('names every invalid setting at once', () => {
    const error = failure(() =>
      parseConfig({ METRICS_PORT: 'abc', LOG_LEVEL: 'loud', DATABASE_URL: 'mysql://x' }),
    );
    expect(error.message).toContain('METRICS_PORT');
    expect(error.message).toContain('LOG_LEVEL');
    expect(error.message).toContain('DATABASE_URL');
  });

  it('requires SASL credentials for SCRAM and names the missing setting', () => {
    const error = failure(() =>
      parseConfig({ KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: 'u' }),
    );
    expect(error.message).toContain('KAFKA_SASL_PASSWORD');
    expect(error.message).not.toContain('KAFKA_SASL_USERNAME:');
  });

  it('reads a JSON file and lets the environment win', () => {
    const dir = mkdtempSync(join(tmpdir(), 'trib-config-'));
    const file = join(dir, 'config.json');
    writeFileSync(file, JSON.stringify({ LOG_LEVEL: 'debug', METRICS_PORT: 9999 }));
    const config = loadConfig({ TRIBUTARY_CONFIG: file, METRICS_PORT: '1234' });
    expect(config.LOG_LEVEL).toBe('debug');
    expect(config.METRICS_PORT).toBe(1234);
  });

  it('rejects an unknown key in the config file by name', () => {
    const dir = mkdtempSync(join(tmpdir(), 'trib-config-'));
    const file = join(dir, 'config.json');
    writeFileSync(file, JSON.stringify({ KAFKA_BROKER: 'typo:9092' }));
    expect(failure(() => loadConfig({ TRIBUTARY_CONFIG: file })).message).toContain('KAFKA_BROKER');
  });
});
