import pkg from '@kafkajs/confluent-schema-registry';
import { afterAll, describe, expect, it } from 'vitest';
import { createTopicsReady, endpoints, testKafka, uniqueName } from '../helpers/stack.js';

const { SchemaRegistry, SchemaType } = pkg;

describe('the local stack', () => {
  const kafka = testKafka();
  const admin = kafka.admin();
  afterAll(() => admin.disconnect());

  it('produces and consumes through Kafka, transactionally, read_committed', async () => {
    await admin.connect();
    const topic = uniqueName('it.produce');
    await createTopicsReady(admin, { topics: [{ topic, numPartitions: 2 }], waitForLeaders: true });
    const producer = kafka.producer({
      transactionalId: uniqueName('tx'),
      idempotent: true,
      maxInFlightRequests: 1,
    });
    await producer.connect();
    const committed = await producer.transaction();
    await committed.send({
      topic,
      messages: [
        { key: 'a', value: 'one' },
        { key: 'b', value: 'two' },
      ],
    });
    await committed.commit();
    const aborted = await producer.transaction();
    await aborted.send({ topic, messages: [{ key: 'c', value: 'aborted' }] });
    await aborted.abort();
    await producer.disconnect();

    const consumer = kafka.consumer({ groupId: uniqueName('g'), readUncommitted: false });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const seen: string[] = [];
    await new Promise<void>((resolve) => {
      void consumer.run({
        eachMessage: async ({ message }) => {
          seen.push(message.value?.toString() ?? '');
          if (seen.length === 2) resolve();
        },
      });
    });
    // Give an aborted record the chance to show up if isolation were broken.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await consumer.disconnect();
    expect(seen.sort()).toEqual(['one', 'two']);
  });

  it('registers a schema and fetches it back through the Confluent-compatible registry', async () => {
    const registry = new SchemaRegistry({ host: endpoints().schemaRegistryUrl });
    const subject = `${uniqueName('it.subject')}-value`;
    const schema = {
      $schema: 'http://json-schema.org/draft-07/schema#',
      type: 'object',
      properties: { id: { type: 'string' } },
      required: ['id'],
    };
    const { id } = await registry.register(
      { type: SchemaType.JSON, schema: JSON.stringify(schema) },
      { subject },
    );
    expect(await registry.getLatestSchemaId(subject)).toBe(id);
    const encoded = await registry.encode(id, { id: 'x-1' });
    expect(encoded.readUInt8(0)).toBe(0);
    expect(encoded.readInt32BE(1)).toBe(id);
    expect(await registry.decode(encoded)).toEqual({ id: 'x-1' });
  });
});
