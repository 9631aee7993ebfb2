import {
  Kafka,
  type KafkaConfig,
  type LogEntry,
  logLevel,
  type OauthbearerProviderResponse,
  type SASLOptions,
} from 'kafkajs';
import type { Config } from './config.js';
import type { Logger } from './logger.js';

export interface KafkaClientOptions {
  config: Pick<
    Config,
    | 'KAFKA_BROKERS'
    | 'KAFKA_CLIENT_ID'
    | 'KAFKA_SSL'
    | 'KAFKA_SASL_MECHANISM'
    | 'KAFKA_SASL_USERNAME'
    | 'KAFKA_SASL_PASSWORD'
    | 'KAFKA_AWS_REGION'
  >;
  log: Logger;
  /** Distinguishes roles in broker logs and quotas, e.g. `tributary-sink`. */
  clientId?: string;
  /**
   * Token source for SASL/OAUTHBEARER — this is where MSK IAM plugs in (an AWS SigV4-signed
   * token from `aws-msk-iam-sasl-signer-js`), without this module depending on AWS.
   */
  oauthBearerProvider?: () => Promise<OauthbearerProviderResponse>;
}

const levelNames: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

/** Routes kafkajs' own logging into pino, one child logger per kafkajs namespace. */
function pinoLogCreator(log: Logger) {
  return () =>
    ({ namespace, level, log: entry }: LogEntry) => {
      const { message, ...rest } = entry;
      const method = levelNames[level] ?? 'info';
      log[method]({ kafkajs: namespace, ...rest }, message);
    };
}

function saslOptions(options: KafkaClientOptions): SASLOptions | undefined {
  const { config } = options;
  switch (config.KAFKA_SASL_MECHANISM) {
    case 'none':
      return undefined;
    case 'plain':
    case 'scram-sha-256':
    case 'scram-sha-512':
      return {
        mechanism: config.KAFKA_SASL_MECHANISM,
        username: config.KAFKA_SASL_USERNAME ?? '',
        password: config.KAFKA_SASL_PASSWORD ?? '',
      };
    case 'oauthbearer': {
      const region = config.KAFKA_AWS_REGION;
      const provider = options.oauthBearerProvider ?? (region ? mskIamTokenProvider(region) : undefined);
      if (!provider)
        throw new Error('KAFKA_SASL_MECHANISM=oauthbearer needs KAFKA_AWS_REGION or an oauthBearerProvider');
      return { mechanism: 'oauthbearer', oauthBearerProvider: provider };
    }
  }
}

/**
 * MSK IAM: a SigV4-signed token from AWS's signer, with credentials from the default provider
 * chain (IRSA on EKS). Loaded on first use so clusters without IAM never load the AWS SDK.
 */
export function mskIamTokenProvider(region: string): () => Promise<OauthbearerProviderResponse> {
  return async () => {
    const { generateAuthToken } = await import('aws-msk-iam-sasl-signer-js');
    const { token } = await generateAuthToken({ region });
    return { value: token };
  };
}

export function createKafka(options: KafkaClientOptions): Kafka {
  // kafkajs warns about its v2 partitioner change on every producer; we use the default (murmur2-compatible) one deliberately.
  process.env['KAFKAJS_NO_PARTITIONER_WARNING'] = '1';
  const sasl = saslOptions(options);
  const kafkaConfig: KafkaConfig = {
    brokers: options.config.KAFKA_BROKERS,
    clientId: options.clientId ?? options.config.KAFKA_CLIENT_ID,
    ssl: options.config.KAFKA_SSL || sasl?.mechanism === 'oauthbearer',
    connectionTimeout: 5_000,
    requestTimeout: 30_000,
    retry: { initialRetryTime: 100, retries: 8, maxRetryTime: 10_000 },
    logLevel: logLevel.WARN,
    logCreator: pinoLogCreator(options.log.child({ component: 'kafkajs' })),
  };
  if (sasl) kafkaConfig.sasl = sasl;
  return new Kafka(kafkaConfig);
}
