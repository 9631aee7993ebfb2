import type { Command } from 'commander';
import { allRawTopics } from '../../producers/sources/index.js';
import { createContext } from '../context.js';
import { declaredTopics } from '../declaredTopics.js';
import { createKafka } from '../kafka.js';
import { applyTopics, diffTopics } from '../topics.js';
import { printTable } from './output.js';

export function registerTopicsCommand(program: Command): void {
  const topics = program.command('topics').description('declarative Kafka topics');
  topics
    .command('apply')
    .description('create missing topics and fix config drift (idempotent); reports remaining drift')
    .action(async () => {
      const { config, log } = createContext();
      const admin = createKafka({ config, log }).admin();
      await admin.connect();
      try {
        const result = await applyTopics(admin, declaredTopics({ rawTopics: allRawTopics() }));
        process.stdout.write(
          `topics: ${result.created.length} created, ${result.altered.length} reconfigured, ${result.partitionsAdded.length} repartitioned, ${result.unchanged.length} unchanged\n`,
        );
        for (const drift of result.drift) {
          process.stdout.write(
            `  drift ${drift.topic} ${drift.setting}: declared ${drift.expected}, broker has ${drift.actual}\n`,
          );
        }
      } finally {
        await admin.disconnect();
      }
    });
  topics
    .command('diff')
    .description('show differences between the declared topics and the broker, changing nothing')
    .action(async () => {
      const { config, log } = createContext();
      const admin = createKafka({ config, log }).admin();
      await admin.connect();
      try {
        const { missing, drift } = await diffTopics(admin, declaredTopics({ rawTopics: allRawTopics() }));
        printTable(
          ['topic', 'setting', 'declared', 'broker'],
          [
            ...missing.map((topic) => [topic, '(topic)', 'present', 'missing']),
            ...drift.map((entry) => [entry.topic, entry.setting, entry.expected, entry.actual]),
          ],
        );
        if (missing.length > 0 || drift.length > 0) process.exitCode = 1;
      } finally {
        await admin.disconnect();
      }
    });
}
