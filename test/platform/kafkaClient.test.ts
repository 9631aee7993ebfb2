import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../platform/config.js';
import { createKafka, mskIamTokenProvider } from '../../platform/kafka.js';
import { createLogger } from '../../platform/logger.js';

const log = createLogger({ level: 'silent' });

describe('Kafka client factory', () => {
  it('requires a region for MSK IAM (OAUTHBEARER) and names the setting', () => {
    expect(() => parseConfig({ KAFKA_SASL_MECHANISM: 'oauthbearer' })).toThrow(
      /KAFKA_AWS_REGION: required when KAFKA_SASL_MECHANISM=oauthbearer/,
    );
    expect(() => parseConfig({ KAFKA_SASL_MECHANISM: 'oauthbearer', KAFKA_AWS_REGION: 'Frankfurt' })).toThrow(
      /KAFKA_AWS_REGION/,
    );
  });

  it('builds an OAUTHBEARER client backed by the AWS MSK IAM signer', async () => {
    const config = parseConfig({ KAFKA_SASL_MECHANISM: 'oauthbearer', KAFKA_AWS_REGION: 'eu-west-1' });
    expect(() => createKafka({ config, log })).not.toThrow();
    // The signer loads (no call to AWS is made here: there is no network).
    const signer = await import('aws-msk-iam-sasl-signer-js');
    expect(typeof signer.generateAuthToken).toBe('function');
    expect(typeof mskIamTokenProvider('eu-west-1')).toBe('function');
  });

  it('passes SCRAM credentials through, and never needs them for PLAINTEXT', () => {
    expect(() => createKafka({ config: parseConfig({}), log })).not.toThrow();
    const config = parseConfig({
      KAFKA_SASL_MECHANISM: 'scram-sha-512',
      KAFKA_SASL_USERNAME: 'u',
      KAFKA_SASL_PASSWORD: 'p',
    });
    expect(() => createKafka({ config, log })).not.toThrow();
  });
});
