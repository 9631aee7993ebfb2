import { GenericContainer, Network, type StartedTestContainer, Wait } from 'testcontainers';
import type { StackEndpoints } from '../../platform/stack/stack.js';

/**
 * The same stack as `tributary stack up`, in containers, for machines with a Docker engine
 * (images as in docker-compose.yml).
 */
export async function startContainerStack(): Promise<{
  endpoints: StackEndpoints;
  stop: () => Promise<void>;
}> {
  const network = await new Network().start();
  const started: StartedTestContainer[] = [];
  const kafka = await new GenericContainer('apache/kafka:4.1.1')
    .withNetwork(network)
    .withExposedPorts({ container: 19092, host: 19092 })
    .withEnvironment({
      KAFKA_NODE_ID: '1',
      KAFKA_PROCESS_ROLES: 'broker,controller',
      KAFKA_LISTENERS: 'PLAINTEXT://0.0.0.0:19092,CONTROLLER://0.0.0.0:19093',
      KAFKA_ADVERTISED_LISTENERS: 'PLAINTEXT://127.0.0.1:19092',
      KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER',
      KAFKA_CONTROLLER_QUORUM_VOTERS: '1@localhost:19093',
      KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
      KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1',
      KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '1',
      KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
      KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'false',
    })
    .withWaitStrategy(Wait.forLogMessage(/Kafka Server started/))
    .start();
  started.push(kafka);
  const registry = await new GenericContainer('apicurio/apicurio-registry:3.0.9')
    .withNetwork(network)
    .withExposedPorts(8080)
    .withWaitStrategy(Wait.forHttp('/apis/ccompat/v7/subjects', 8080))
    .start();
  started.push(registry);
  const postgres = await new GenericContainer('postgres:16')
    .withNetwork(network)
    .withEnvironment({ POSTGRES_HOST_AUTH_METHOD: 'trust' })
    .withCommand(['postgres', '-c', 'wal_level=logical'])
    .withExposedPorts(5432)
    .withWaitStrategy(Wait.forLogMessage(/database system is ready to accept connections/, 2))
    .start();
  started.push(postgres);
  return {
    endpoints: {
      kafkaBrokers: ['127.0.0.1:19092'],
      schemaRegistryUrl: `http://${registry.getHost()}:${registry.getMappedPort(8080)}/apis/ccompat/v7`,
      databaseUrl: `postgres://postgres@${postgres.getHost()}:${postgres.getMappedPort(5432)}/tributary`,
      external: { kafka: true, registry: true, database: true },
    },
    stop: async () => {
      for (const container of started.reverse()) await container.stop();
      await network.stop();
    },
  };
}
