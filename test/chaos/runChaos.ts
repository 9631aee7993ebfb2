import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../platform/config.js';
import { kafkaPidFile, kafkaReady, startKafka } from '../../platform/stack/kafkaService.js';
import { projectRoot, stackPaths } from '../../platform/stack/paths.js';
import { payrollTables } from '../../producers/sources/payroll/payrollDatabase.js';
import { PayrollWriter } from '../../producers/sources/payroll/payrollWriter.js';
import { seededRandom } from '../helpers/childProcess.js';
import { diagnoseRawKeys, roleLogProblems } from './diagnoseRaw.js';
import { PipelineRun, type Role, roles } from './pipelineRun.js';
import { type ReconcileReport, reconcile, type Truth } from './reconcile.js';

export interface ChaosOptions {
  /** Length of the fault phase. */
  seconds: number;
  seed: number;
  /** @default 2000 */
  hrRecords?: number;
  /** @default 1000 */
  erpRecords?: number;
  /** @default 200 */
  payrollEmployees?: number;
  /** Source changes per second per simulator (incl. deletes). @default 40 */
  changesPerSecond?: number;
  /** SIGKILL + restart the Kafka broker. @default true */
  restartBroker?: boolean;
  /** SIGSTOP/SIGCONT the schema registry. @default true */
  stallRegistry?: boolean;
  /** `pg_ctlcluster … restart -m immediate` (only where nothing else shares PostgreSQL). @default false */
  restartPostgres?: boolean;
  /** @default 300000 */
  drainTimeoutMs?: number;
  /** Each role's log goes to `<logDir>/<role>.log`. @default .tributary/chaos/<time>-seed-<seed> */
  logDir?: string;
  /** Keep the run's databases for inspection. @default false */
  keep?: boolean;
  write?: (line: string) => void;
}

export interface ChaosReport {
  seed: number;
  seconds: number;
  actions: Record<string, number>;
  sourceChanges: { hr: number; erp: number; payroll: number };
  restarts: Record<string, { starts: number; unexpectedExits: number }>;
  drainSeconds: number;
  reconcile: ReconcileReport;
  ok: boolean;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function readPid(file: string): number | undefined {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Fault sets for the simulators' POST /_admin/faults, each firing a few times. */
const faultSets: readonly Record<string, unknown>[] = [
  { serverError: { count: 2, burst: 3 } },
  { rateLimit: { count: 3, retryAfterSeconds: 1 } },
  { dropConnection: { count: 2 } },
  { malformed: { count: 2 } },
  { timeout: { count: 1 } },
  { slow: { count: 3, delayMs: 1500 } },
  { tokenExpiry: { count: 1 } },
];

/**
 * The chaos run: sustained source changes (HR and ERP mutations with deletes, payroll writes)
 * while roles are SIGKILLed and restarted at seeded random moments, the broker is killed and
 * restarted, the registry is stalled, the simulators inject HTTP faults (and, on request,
 * PostgreSQL restarts in immediate mode); then everything drains and PostgreSQL is reconciled
 * with the sources' ground truth.
 */
export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const random = seededRandom(options.seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const logDir =
    options.logDir ??
    join(
      projectRoot,
      '.tributary',
      'chaos',
      `${new Date().toISOString().replace(/[:.]/g, '-')}-seed-${options.seed}`,
    );
  write(
    `chaos: seed ${options.seed}, ${options.seconds} s of faults (rerun with --seed ${options.seed}); role logs in ${logDir}`,
  );
  const run = new PipelineRun({
    seed: options.seed,
    hrRecords: options.hrRecords ?? 2_000,
    erpRecords: options.erpRecords ?? 1_000,
    payrollEmployees: options.payrollEmployees ?? 200,
    resetTopics: true,
    pollIntervalMs: 1_000,
    logDir,
    write,
  });
  const actions: Record<string, number> = {};
  const count = (name: string): void => {
    actions[name] = (actions[name] ?? 0) + 1;
  };
  const changes = { hr: 0, erp: 0, payroll: 0 };
  let writer: PayrollWriter | undefined;
  let stopLoad = false;
  let load: Promise<void> = Promise.resolve();
  const paths = stackPaths();
  const registryPid = readPid(join(paths.run, 'registry.pid'));
  try {
    await run.prepare();
    write(
      `chaos: run ${run.runId}, database ${new URL(run.databaseUrl).pathname.slice(1)}; HR ${run.hrUrl}, ERP ${run.erpUrl}`,
    );
    for (const role of roles) run.start(role);

    const startWriter = (): void => {
      writer = new PayrollWriter({
        databaseUrl: run.payrollUrl,
        ratePerSecond: 10,
        seed: options.seed,
        onError: () => undefined,
      });
      writer.start();
    };
    startWriter();
    const perTick = Math.max(1, Math.round((options.changesPerSecond ?? 40) / 2));
    load = (async () => {
      let tick = 0;
      while (!stopLoad) {
        tick++;
        try {
          // HR workers and, now and then, org units (updates, creates, deletes); ERP vendors with
          // deletes and invoices without (an invoice delete feed carries no vendor number: README
          // limits).
          const hrBody =
            tick % 10 === 0
              ? { resource: 'orgUnits', updates: perTick, creates: 1, deletes: 1 }
              : { resource: 'workers', count: perTick };
          const hr = (await run.simulatorPost('hr', '/_admin/mutate', hrBody)) as { changes: unknown[] };
          const erpBody =
            tick % 2 === 0
              ? { resource: 'vendors', count: perTick }
              : tick % 5 === 1
                ? { resource: 'costCenters', updates: perTick, creates: 1, deletes: 1 }
                : {
                    resource: 'invoices',
                    updates: Math.ceil(perTick * 0.7),
                    creates: Math.floor(perTick * 0.3),
                  };
          const erp = (await run.simulatorPost('erp', '/_admin/mutate', erpBody)) as { changes: unknown[] };
          changes.hr += hr.changes.length;
          changes.erp += erp.changes.length;
        } catch (error) {
          write(`    load: ${String(error)}`);
        }
        await sleep(500);
      }
    })();

    const started = Date.now();
    // Broker kills and registry stalls need the local stack's pid files; a stack started from
    // another checkout (or an external one) has none here — say so instead of silently skipping.
    if (options.restartBroker !== false && !readPid(kafkaPidFile(paths)))
      write(
        `  broker restarts OFF: no Kafka pid file under ${paths.run} (stack not started from this checkout? set TRIBUTARY_STACK_DIR)`,
      );
    if (options.stallRegistry !== false && !registryPid)
      write(`  registry stalls OFF: no registry pid file under ${paths.run}`);
    const kinds = [
      ...roles.map((role) => `kill:${role}`),
      ...roles.map((role) => `kill:${role}`),
      'faults:hr',
      'faults:erp',
      ...(options.restartBroker === false || !readPid(kafkaPidFile(paths)) ? [] : ['broker']),
      ...(options.stallRegistry === false || !registryPid ? [] : ['registry']),
      ...(options.restartPostgres ? ['postgres'] : []),
    ];
    const firstRound = [...new Set(kinds)];
    for (let i = firstRound.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [firstRound[i], firstRound[j]] = [firstRound[j] as string, firstRound[i] as string];
    }
    while (Date.now() - started < options.seconds * 1000) {
      await sleep(1_500 + random() * 4_000);
      // The first round takes every kind once (seeded order), so a short run covers them all.
      const kind = firstRound.shift() ?? pick(kinds);
      const at = ((Date.now() - started) / 1000).toFixed(1);
      count(kind);
      if (kind.startsWith('kill:')) {
        const role = kind.slice(5) as Role;
        write(`  ${at}s SIGKILL ${role}`);
        await run.stop(role, 'SIGKILL');
        await sleep(random() * 2_000);
        run.start(role);
      } else if (kind.startsWith('faults:')) {
        const source = kind.slice(7) as 'hr' | 'erp';
        const faults = { ...pick(faultSets), ...pick(faultSets) };
        write(`  ${at}s HTTP faults on ${source}: ${Object.keys(faults).join(', ')}`);
        await run.simulatorPost(source, '/_admin/faults', faults);
      } else if (kind === 'broker') {
        write(`  ${at}s SIGKILL the Kafka broker, then start it again`);
        const pid = readPid(kafkaPidFile(paths));
        if (pid) {
          process.kill(pid, 'SIGKILL');
          while (alive(pid)) await sleep(100);
        }
        await sleep(random() * 3_000);
        startKafka(paths);
        if (!(await kafkaReady(loadConfig(process.env).KAFKA_BROKERS, 120_000)))
          throw new Error('Kafka did not come back');
        write(`  ${((Date.now() - started) / 1000).toFixed(1)}s broker ready again`);
      } else if (kind === 'registry' && registryPid) {
        const stall = 2_000 + random() * 6_000;
        write(`  ${at}s SIGSTOP the schema registry for ${(stall / 1000).toFixed(1)} s`);
        process.kill(registryPid, 'SIGSTOP');
        try {
          await sleep(stall);
        } finally {
          process.kill(registryPid, 'SIGCONT');
        }
      } else if (kind === 'postgres') {
        write(`  ${at}s restart PostgreSQL (immediate mode)`);
        const version = readdirSync('/etc/postgresql').sort().at(-1) ?? '15';
        execFileSync(
          'pg_ctlcluster',
          ['--skip-systemctl-redirect', version, 'main', 'restart', '-m', 'immediate'],
          { stdio: 'ignore' },
        );
        // The writer's connection died with the server; a new one continues the same sequence.
        changes.payroll += (await writer?.stop())?.transactions ?? 0;
        startWriter();
      }
    }
    write(`chaos: fault phase over after ${options.seconds} s; stopping the load, clearing faults, draining`);
    stopLoad = true;
    await load;
    changes.payroll += (await writer?.stop())?.transactions ?? 0;
    writer = undefined;
    await run.simulatorPost('hr', '/_admin/faults', {});
    await run.simulatorPost('erp', '/_admin/faults', {});
    for (const role of roles) run.start(role);

    const drainStarted = Date.now();
    const truthCache = new Map<string, Truth | undefined>();
    const truth = async (source: string, resource: string): Promise<Truth | undefined> => {
      const key = `${source}/${resource}`;
      if (!truthCache.has(key)) {
        try {
          truthCache.set(
            key,
            (await run.simulatorGet(source as 'hr' | 'erp', `/_admin/truth?resource=${resource}`)) as Truth,
          );
        } catch {
          truthCache.set(key, undefined);
        }
      }
      return truthCache.get(key);
    };
    let report: ReconcileReport;
    let previousLag = '';
    for (;;) {
      await sleep(5_000);
      const lag = await run.lag().catch(() => undefined);
      // PostgreSQL or Kafka may still be recovering: a failed check is simply retried.
      const checked = await reconcile({
        kafka: run.kafka,
        databaseUrl: run.databaseUrl,
        truth,
        env: { ...process.env, HR_INSTANCE: run.hrInstance, ERP_INSTANCE: run.erpInstance },
        payroll: {
          url: run.payrollUrl,
          source: run.cdcSource,
          instance: run.cdcInstance,
          tables: payrollTables,
        },
      }).catch((error: unknown) => {
        write(`  drain: reconcile failed (${String(error)}); retrying`);
        return undefined;
      });
      if (!checked) {
        if (Date.now() - drainStarted > (options.drainTimeoutMs ?? 300_000))
          throw new Error('reconcile kept failing');
        continue;
      }
      report = checked;
      const rawProblems = Object.values(report.raw).reduce(
        (sum, c) => sum + c.missing + c.differing + c.extra,
        0,
      );
      const problems = Object.entries(report.entities)
        .map(([entity, c]) => `${entity} ${c.missing}/${c.duplicated}/${c.regressed}/${c.extra}`)
        .join(', ');
      write(
        `  drain ${((Date.now() - drainStarted) / 1000).toFixed(0)}s: lag ${JSON.stringify(lag)}; raw problems ${rawProblems}; missing/dup/regressed/extra: ${problems}`,
      );
      // Several transactional writers per partition can leave more than one trailing marker, so
      // "idle" is judged by lag that no longer moves, not by lag 0.
      const lagText = JSON.stringify(lag);
      if (report.ok && lag && lagText === previousLag) break;
      previousLag = lagText;
      if (Date.now() - drainStarted > (options.drainTimeoutMs ?? 300_000)) break;
    }
    if (!report.ok) {
      // Explain what the raw log holds for the keys that differ (CI keeps only this output).
      for (const [topic, keys] of Object.entries(report.rawProblemKeys)) {
        write(`diagnosis of ${topic}:`);
        const byKey = new Map(keys.map((entry) => [entry.key, entry.sourceUpdatedAt]));
        const lines = await diagnoseRawKeys(
          run.kafka,
          topic,
          keys.map((entry) => entry.key),
          (key) => byKey.get(key),
        ).catch((error: unknown) => [`  diagnosis failed: ${String(error)}`]);
        for (const line of lines) write(line);
        const role = topic.split('.')[1] === 'payroll' ? 'cdc' : topic.split('.')[1];
        write(`last warnings and errors of ${role}:`);
        for (const line of roleLogProblems(join(logDir, `${role}.log`))) write(line);
      }
    }
    const result: ChaosReport = {
      seed: options.seed,
      seconds: options.seconds,
      actions,
      sourceChanges: changes,
      restarts: run.restarts(),
      drainSeconds: Math.round((Date.now() - drainStarted) / 1000),
      reconcile: report,
      ok: report.ok,
    };
    return result;
  } finally {
    stopLoad = true;
    await load.catch(() => undefined);
    await writer?.stop().catch(() => undefined);
    if (registryPid && alive(registryPid)) process.kill(registryPid, 'SIGCONT');
    await run
      .close({ keepDatabases: options.keep ?? false })
      .catch((error: unknown) => write(`cleanup: ${String(error)}`));
  }
}

/** Human-readable summary lines of a chaos report. */
export function formatChaosReport(report: ChaosReport): string[] {
  const lines = [
    `chaos ${report.ok ? 'PASSED' : 'FAILED'} — seed ${report.seed}, ${report.seconds} s of faults, drained in ${report.drainSeconds} s`,
    `faults: ${Object.entries(report.actions)
      .map(([kind, n]) => `${kind} ×${n}`)
      .join(', ')}`,
    `source changes: HR ${report.sourceChanges.hr}, ERP ${report.sourceChanges.erp}, payroll transactions ${report.sourceChanges.payroll}`,
    `process starts (unexpected exits): ${Object.entries(report.restarts)
      .map(([role, r]) => `${role} ${r.starts} (${r.unexpectedExits})`)
      .join(', ')}`,
    'sources → raw log (per topic)        source    raw  missing  differing  extra',
  ];
  for (const [topic, c] of Object.entries(report.reconcile.raw))
    lines.push(
      `${topic.padEnd(36)} ${String(c.source).padStart(6)} ${String(c.raw).padStart(6)} ${String(c.missing).padStart(8)} ${String(c.differing).padStart(10)} ${String(c.extra).padStart(6)}`,
    );
  lines.push('raw log → PostgreSQL (per entity)  expected   rows  missing  duplicated  regressed  extra');
  for (const [entity, c] of Object.entries(report.reconcile.entities))
    lines.push(
      `${entity.padEnd(34)} ${String(c.expected).padStart(8)} ${String(c.rows).padStart(6)} ${String(c.missing).padStart(8)} ${String(c.duplicated).padStart(11)} ${String(c.regressed).padStart(10)} ${String(c.extra).padStart(6)}`,
    );
  const d = report.reconcile.dlq;
  lines.push(
    `DLQ: processor ${d.processor} (unexpected ${d.processorUnexpected}; source records the mappings reject: ${report.reconcile.deliberatelyBad}), sink ${d.sink}`,
  );
  if (report.reconcile.unreconciledTopics.length > 0)
    lines.push(`not reconciled (no simulator truth): ${report.reconcile.unreconciledTopics.join(', ')}`);
  for (const example of report.reconcile.examples) lines.push(`  e.g. ${example}`);
  return lines;
}
