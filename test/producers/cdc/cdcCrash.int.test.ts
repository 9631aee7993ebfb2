import { type ChildProcess, spawn } from 'node:child_process';
import { openSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import { rawTopicFor } from '../../../producers/cdc/changeEvents.js';
import { payrollTables } from '../../../producers/sources/payroll/payrollDatabase.js';
import { PayrollWriter } from '../../../producers/sources/payroll/payrollWriter.js';
import { diagnoseRawKeys } from '../../chaos/diagnoseRaw.js';
import { endpoints, testKafka, uniqueName } from '../../helpers/stack.js';
import {
  createCdcTopics,
  createPayrollTestDatabase,
  keyColumnOf,
  latestPayloads,
  readRaw,
  sourceRows,
  waitForCatchUp,
} from './cdcTestKit.js';

const kills = 22;

/** Set CDC_CRASH_LOG=<file> to keep every instance's info log (to see where the kills landed). */
const logFile = process.env['CDC_CRASH_LOG'];

function startProducer(url: string, source: string, slot: string, killAfterCommit = 0): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', 'producers/cdc/main.ts'], {
    cwd: process.cwd(),
    stdio: ['ignore', logFile ? openSync(logFile, 'a') : 'ignore', 'inherit'],
    env: {
      ...process.env,
      KAFKA_BROKERS: endpoints().kafkaBrokers.join(','),
      DATABASE_URL: url,
      CDC_SOURCE: source,
      CDC_SLOT: slot,
      CDC_TABLES: payrollTables.join(','),
      CDC_HEARTBEAT_MS: '500',
      CDC_MAX_BATCH_RECORDS: '200', // many small Kafka transactions: more crash points between commit and ack
      CDC_KILL_AFTER_COMMIT: String(killAfterCommit),
      LOG_LEVEL: logFile ? 'info' : 'error',
      METRICS_PORT: '0',
    },
  });
}

async function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise((resolve) => child.once('exit', resolve));
}

describe('CDC producer crash safety', () => {
  it(`SIGKILLed ${kills} times under continuous inserts, updates and deletes: raw topics equal the source, no change twice`, async () => {
    const url = await createPayrollTestDatabase(150);
    const source = uniqueName('cdccrash').replace(/-/g, '_');
    const slot = `tributary_${source}`;
    const kafka = testKafka();
    await createCdcTopics(kafka, source);
    const writer = new PayrollWriter({ databaseUrl: url, ratePerSecond: 80, seed: 11 });
    writer.start();
    let killed = 0;
    for (let i = 0; i < kills; i++) {
      // Every third instance may also kill itself right after a Kafka commit, before acknowledging the slot:
      // the restart then receives that transaction again and must skip it.
      const child = startProducer(url, source, slot, i % 3 === 2 ? 0.05 : 0);
      // Other kills land at random: in startup, in the snapshot, mid-stream.
      await new Promise((resolve) => setTimeout(resolve, 400 + Math.floor(Math.random() * 2600)));
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited(child);
      if (child.signalCode === 'SIGKILL') killed++;
    }
    const final = startProducer(url, source, slot);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const written = await writer.stop();
    // Generous: a producer's start waits for any transaction still open on the shared state topic
    // (another test's SIGKILLed producer holds one for up to its 60 s timeout).
    await waitForCatchUp(url, slot, 150_000);
    final.kill('SIGTERM');
    await exited(final);

    expect(killed).toBe(kills);
    expect(written.deletes).toBeGreaterThan(10);
    expect(written.updates).toBeGreaterThan(100);
    for (const table of payrollTables) {
      const expected = await sourceRows(url, table, keyColumnOf[table] ?? '', source);
      // A committed transaction becomes visible to read_committed readers once the broker has
      // written its commit markers, which can trail the commit's acknowledgement (and so the slot's)
      // on a loaded machine: re-read for a while before calling a difference a loss. A lost change
      // stays missing and still fails below.
      let messages = await readRaw(kafka, rawTopicFor(source, table));
      let waited = 0;
      for (; waited < 30 && !isDeepStrictEqual(latestPayloads(messages), expected); waited++) {
        await new Promise((resolve) => setTimeout(resolve, 1_000));
        messages = await readRaw(kafka, rawTopicFor(source, table));
      }
      const latest = latestPayloads(messages);
      const differing = [...new Set([...latest.keys(), ...expected.keys()])]
        .filter((key) => !isDeepStrictEqual(latest.get(key), expected.get(key)))
        .slice(0, 5);
      if (waited > 0)
        process.stdout.write(
          `${table}: raw re-read ${waited} times; ${differing.length === 0 ? 'then it matched the source' : 'it still differs'}\n`,
        );
      if (differing.length > 0) {
        // Explain before failing: which writes exist, which committed, and where the LSO stands.
        const lines = await diagnoseRawKeys(kafka, rawTopicFor(source, table), differing, () => undefined);
        process.stdout.write(`${table} differs from its source:\n${lines.join('\n')}\n`);
      }
      expect(latestPayloads(messages), table).toEqual(expected);
      // Every update bumps a version and keys are never reused, so each (event id, operation) is one source change.
      const seen = new Map<string, number>();
      for (const message of messages) {
        if (message.value === null) continue;
        const id = `${String(message.value['eventId'])}/${String(message.value['operation'])}`;
        seen.set(id, (seen.get(id) ?? 0) + 1);
      }
      const twice = [...seen.entries()].filter(([, n]) => n > 1);
      expect(twice, `${table}: changes published twice`).toEqual([]);
    }
  }, 300_000);
});
