import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Admin, Kafka } from 'kafkajs';
import pg from 'pg';
import { loadConfig } from '../../platform/config.js';
import { declaredTopics, fragmentsTopic } from '../../platform/declaredTopics.js';
import { createKafka } from '../../platform/kafka.js';
import { createLogger, type Logger } from '../../platform/logger.js';
import { migrate } from '../../platform/migrate.js';
import { ensureDatabase, withDatabase } from '../../platform/postgres.js';
import { projectRoot } from '../../platform/stack/paths.js';
import { applyTopics, topicSpec } from '../../platform/topics.js';
import { mappings } from '../../processors/mappings/index.js';
import { rawTopicFor } from '../../producers/cdc/changeEvents.js';
import { allRawTopics } from '../../producers/sources/index.js';
import { createPayrollDatabase, payrollTables } from '../../producers/sources/payroll/payrollDatabase.js';
import { entityCatalog } from '../../schemas/entityCatalog.js';
import { registerCanonicalSchemas } from '../../schemas/registry.js';
import { fileSchemaHistory } from '../../schemas/schemaHistory.js';
import { entityTables } from '../../sinks/postgres/specs/entityTables.js';

/** The long-running roles of the pipeline, each one child process. */
export const roles = ['hr', 'erp', 'cdc', 'map', 'merge', 'sink'] as const;
export type Role = (typeof roles)[number];

export interface PipelineRunOptions {
  seed: number;
  /** HR workers (org units derive from it). */
  hrRecords: number;
  /** ERP vendors and invoices each (cost centers, GL accounts derive from it). */
  erpRecords: number;
  /** Payroll employees captured by CDC; 0 = no CDC role. @default 0 */
  payrollEmployees?: number;
  /**
   * Delete and recreate the fixed pipeline topics (raw.hr.*, raw.erp.*, fragments, canonical.*,
   * dlq.*) first. Canonical ids depend only on business keys, which every simulator run shares, so
   * exact checks need topics holding only this run's records. Never run it beside other tests.
   */
  resetTopics: boolean;
  /** @default 1000 */
  pollIntervalMs?: number;
  /** Per-role extra environment. */
  roleEnv?: Partial<Record<Role, Record<string, string>>>;
  /** Write a V8 CPU profile of each role into this directory (`node --cpu-prof`). */
  cpuProfileDir?: string;
  /** Where child stderr goes (`inherit` to see role logs). @default 'ignore' */
  childStderr?: 'inherit' | 'ignore';
  /** Append every role's stdout and stderr (its pino log) to `<logDir>/<role>.log`. */
  logDir?: string;
  write?: (line: string) => void;
}

interface RoleState {
  child: ChildProcess | undefined;
  starts: number;
  unexpectedExits: number;
  /** Peak RSS (VmHWM, kB) over every process of this role. */
  peakKb: number;
  /**
   * Peak anonymous RSS (kB, sampled): the heap and other private memory, without file-backed
   * pages such as the merge stage's memory-mapped LMDB store, which the kernel can reclaim.
   */
  peakAnonKb: number;
  stopping: boolean;
  onLine: ((line: string) => void) | undefined;
}

/** Simulator credentials: the simulators' sample values. */
const sourceSecrets = {
  HR_CLIENT_ID: 'tributary-client',
  HR_CLIENT_SECRET: 'tributary-secret',
  ERP_USERNAME: 'tributary',
  ERP_PASSWORD: 'tributary-password',
};

function nodeChild(
  entry: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  nodeArgs: readonly string[],
  stderr: 'inherit' | 'ignore' | 'pipe',
): ChildProcess {
  return spawn(process.execPath, [...nodeArgs, '--import', 'tsx', join(projectRoot, entry), ...args], {
    cwd: projectRoot,
    env,
    stdio: ['ignore', 'pipe', stderr],
  });
}

/**
 * Memory of a live process in kB from one read of /proc/<pid>/status (zeros when gone): peak RSS
 * (VmHWM) and current anonymous RSS (RssAnon, the heap without file-backed pages).
 */
export function processMemoryKb(pid: number | undefined): { peak: number; anon: number } {
  if (pid === undefined) return { peak: 0, anon: 0 };
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return { peak: 0, anon: 0 };
  }
  const field = (name: string): number => Number(new RegExp(`${name}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0);
  return { peak: field('VmHWM'), anon: field('RssAnon') };
}

async function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise((resolve) => child.once('exit', resolve));
}

/** Lag of one consumer over topics, given its next offsets; a trailing commit marker counts as read. */
async function behind(
  admin: Admin,
  topics: readonly string[],
  next: (topic: string, partition: number) => bigint | undefined,
): Promise<number> {
  let total = 0;
  for (const topic of topics) {
    for (const end of await admin.fetchTopicOffsets(topic)) {
      const high = BigInt(end.high);
      if (high === BigInt(end.low)) continue;
      const at = next(topic, end.partition) ?? BigInt(end.low);
      const gap = high - 1n - at;
      if (gap > 0n) total += Number(gap);
    }
  }
  return total;
}

export interface StageLag {
  map: number;
  merge: number;
  sink: number;
}

/**
 * The whole pipeline as child processes on the local stack, isolated by a run id: its own
 * database, consumer groups, transactional ids and source instance names. Roles can be SIGKILLed
 * and restarted; a role that dies on its own is restarted after a second (as Kubernetes would).
 */
export class PipelineRun {
  readonly runId = randomBytes(4).toString('hex');
  readonly log: Logger;
  readonly kafka: Kafka;
  readonly databaseUrl: string;
  readonly payrollUrl: string;
  readonly hrInstance: string;
  readonly erpInstance: string;
  /** The payroll mapping reads raw.payroll.payroll.*: the CDC source name is fixed, the instance is not. */
  readonly cdcSource: string;
  readonly cdcInstance: string;
  readonly groups: { map: string; merge: string; sink: string };
  hrUrl = '';
  erpUrl = '';
  private readonly simulators: ChildProcess[] = [];
  private readonly state = new Map<Role, RoleState>();
  private readonly baseEnv: NodeJS.ProcessEnv;
  private readonly admin: Admin;
  private closed = false;
  private readonly write: (line: string) => void;

  constructor(readonly options: PipelineRunOptions) {
    this.write = options.write ?? ((line) => process.stdout.write(`${line}\n`));
    const config = loadConfig(process.env);
    this.log = createLogger({ level: process.env['LOG_LEVEL'] ?? 'warn', name: 'pipeline-run' });
    this.kafka = createKafka({ config, log: this.log, clientId: `pipeline-run-${this.runId}` });
    this.admin = this.kafka.admin();
    this.databaseUrl = withDatabase(config.DATABASE_URL, `tributary_run_${this.runId}`);
    this.payrollUrl = withDatabase(config.DATABASE_URL, `tributary_run_${this.runId}_payroll`);
    this.hrInstance = `run-${this.runId}-hr`;
    this.erpInstance = `run-${this.runId}-erp`;
    this.cdcSource = 'payroll';
    this.cdcInstance = `run-${this.runId}-payroll`;
    this.groups = {
      map: `run-${this.runId}-map`,
      merge: `run-${this.runId}-merge`,
      sink: `run-${this.runId}-sink`,
    };
    this.baseEnv = {
      ...process.env,
      ...sourceSecrets,
      KAFKA_BROKERS: config.KAFKA_BROKERS.join(','),
      SCHEMA_REGISTRY_URL: config.SCHEMA_REGISTRY_URL,
      LOG_LEVEL: process.env['ROLE_LOG_LEVEL'] ?? 'warn',
      METRICS_PORT: '0',
      HR_INSTANCE: this.hrInstance,
      ERP_INSTANCE: this.erpInstance,
      HR_REQUESTS_PER_SECOND: '1000',
      ERP_REQUESTS_PER_SECOND: '1000',
      POLL_INTERVAL_MS: String(options.pollIntervalMs ?? 1_000),
    };
    for (const role of roles)
      this.state.set(role, {
        child: undefined,
        starts: 0,
        unexpectedExits: 0,
        peakKb: 0,
        peakAnonKb: 0,
        stopping: false,
        onLine: undefined,
      });
  }

  get rawTopics(): string[] {
    return allRawTopics(this.baseEnv);
  }

  get cdcSlot(): string {
    return `tributary_run_${this.runId}`;
  }

  get cdcTopics(): string[] {
    return payrollTables.map((table) => rawTopicFor(this.cdcSource, table));
  }

  /** Database, topics, schemas, simulators, payroll database. */
  async prepare(): Promise<void> {
    await this.admin.connect();
    await ensureDatabase(this.databaseUrl);
    await migrate({
      databaseUrl: this.databaseUrl,
      directory: join(projectRoot, 'migrations'),
      log: this.log,
    });
    const rawTopics = new Set(this.rawTopics);
    const specs = [
      ...declaredTopics({ rawTopics: [...rawTopics] }),
      ...this.cdcTopics
        .filter((name) => !rawTopics.has(name))
        .map((name) => topicSpec(name, { partitions: 3 })),
    ];
    if (this.options.resetTopics) {
      const existing = new Set(await this.admin.listTopics());
      const doomed = specs
        .map((spec) => spec.name)
        .filter((name) => name !== '_tributary.source-state' && existing.has(name));
      for (const topic of doomed) {
        try {
          await this.admin.deleteTopics({ topics: [topic], timeout: 30_000 });
        } catch (error) {
          throw new Error(`deleting ${topic}: ${String(error)}`);
        }
      }
      // A deleted topic lingers briefly: while it is still listed, "create if missing" skips it and
      // the deletion then completes — the run starts without it (seen: dlq.* and a fragments topic
      // missing, every merge start failing). Wait until none is listed, then create and verify.
      const admin = this.admin;
      for (let attempt = 0; ; attempt++) {
        try {
          const listed = new Set(await admin.listTopics());
          if (doomed.some((topic) => listed.has(topic))) throw new Error('deleted topics still listed');
          await applyTopics(admin, specs);
          const present = new Set(await admin.listTopics());
          const absent = specs.map((spec) => spec.name).filter((name) => !present.has(name));
          if (absent.length > 0) throw new Error(`topics not created: ${absent.join(', ')}`);
          break;
        } catch (error) {
          if (attempt > 60) throw error;
          await new Promise((resolve) => setTimeout(resolve, 1_000));
        }
      }
    } else {
      await applyTopics(this.admin, specs);
    }
    await registerCanonicalSchemas({
      registryUrl: loadConfig(process.env).SCHEMA_REGISTRY_URL,
      contracts: entityCatalog,
      history: fileSchemaHistory(),
      log: this.log,
    });
    const simulatorArgs = ['--seed', String(this.options.seed)];
    this.hrUrl = await this.startSimulator('hr', [
      ...simulatorArgs,
      '--records',
      String(this.options.hrRecords),
    ]);
    this.erpUrl = await this.startSimulator('erp', [
      ...simulatorArgs,
      '--records',
      String(this.options.erpRecords),
    ]);
    this.baseEnv['HR_BASE_URL'] = this.hrUrl;
    this.baseEnv['ERP_BASE_URL'] = this.erpUrl;
    if ((this.options.payrollEmployees ?? 0) > 0) {
      await createPayrollDatabase(this.payrollUrl, {
        employees: this.options.payrollEmployees ?? 0,
        seed: this.options.seed,
      });
    }
  }

  private async startSimulator(kind: 'hr' | 'erp', args: string[]): Promise<string> {
    const child = nodeChild('producers/simulators/serve.ts', [kind, ...args], this.baseEnv, [], 'inherit');
    this.simulators.push(child);
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    for await (const line of lines) {
      const parsed = JSON.parse(line) as { event?: string; url?: string };
      if (parsed.event === 'listening' && parsed.url) return parsed.url;
    }
    throw new Error(`${kind} simulator exited before listening`);
  }

  private roleCommand(role: Role): { entry: string; args: string[]; env: NodeJS.ProcessEnv } {
    const extra = this.options.roleEnv?.[role] ?? {};
    switch (role) {
      case 'hr':
      case 'erp':
        return { entry: 'test/chaos/producerChild.ts', args: [role], env: { ...this.baseEnv, ...extra } };
      case 'map':
      case 'merge':
        return {
          entry: 'processors/main.ts',
          args: [role],
          env: {
            ...this.baseEnv,
            DATABASE_URL: this.databaseUrl,
            PROCESSOR_GROUP_ID: this.groups[role],
            PROCESSOR_SESSION_TIMEOUT_MS: '10000',
            ...extra,
          },
        };
      case 'sink':
        return {
          entry: 'sinks/postgres/main.ts',
          args: [],
          env: {
            ...this.baseEnv,
            DATABASE_URL: this.databaseUrl,
            SINK_GROUP_ID: this.groups.sink,
            SINK_SESSION_TIMEOUT_MS: '10000',
            ...extra,
          },
        };
      case 'cdc':
        return {
          entry: 'producers/cdc/main.ts',
          args: [],
          env: {
            ...this.baseEnv,
            DATABASE_URL: this.payrollUrl,
            CDC_SOURCE: this.cdcSource,
            CDC_INSTANCE: this.cdcInstance,
            CDC_SLOT: this.cdcSlot,
            CDC_TABLES: payrollTables.join(','),
            CDC_HEARTBEAT_MS: '1000',
            ...extra,
          },
        };
    }
  }

  /** Starts a role (no-op when it runs). `onLine` receives its stdout lines. */
  start(role: Role, onLine?: (line: string) => void): void {
    const state = this.state.get(role);
    if (!state || this.closed) return;
    if (onLine) state.onLine = onLine;
    if (state.child && state.child.exitCode === null && state.child.signalCode === null) return;
    const { entry, args, env } = this.roleCommand(role);
    const nodeArgs = this.options.cpuProfileDir
      ? // One directory per process: the tsx loader thread writes a profile of its own.
        ['--cpu-prof', `--cpu-prof-dir=${join(this.options.cpuProfileDir, `${role}-${state.starts}`)}`]
      : [];
    const logFile = this.options.logDir ? join(this.options.logDir, `${role}.log`) : undefined;
    const child = nodeChild(
      entry,
      args,
      env,
      nodeArgs,
      logFile ? 'pipe' : (this.options.childStderr ?? 'ignore'),
    );
    if (logFile) {
      mkdirSync(this.options.logDir ?? '.', { recursive: true });
      const sink = createWriteStream(logFile, { flags: 'a' });
      sink.write(`--- ${new Date().toISOString()} start #${state.starts + 1} pid ${child.pid}\n`);
      child.stdout?.pipe(sink, { end: false });
      child.stderr?.pipe(sink, { end: false });
      child.once('exit', (code, signal) =>
        sink.end(`--- ${new Date().toISOString()} exit ${code ?? signal}\n`),
      );
    }
    state.child = child;
    state.starts++;
    state.stopping = false;
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    lines.on('line', (line) => state.onLine?.(line));
    // Sample the peak RSS while it lives (VmHWM is gone once the process exits).
    const sampler = setInterval(() => {
      const memory = processMemoryKb(child.pid);
      state.peakKb = Math.max(state.peakKb, memory.peak);
      state.peakAnonKb = Math.max(state.peakAnonKb, memory.anon);
    }, 1_000);
    child.once('exit', (code, signal) => {
      clearInterval(sampler);
      if (state.child !== child || state.stopping || this.closed) return;
      state.unexpectedExits++;
      this.write(`    ${role} exited on its own (code ${code}, signal ${signal}); restarting in 1 s`);
      setTimeout(() => {
        if (state.child === child) this.start(role);
      }, 1_000);
    });
  }

  /** SIGKILL (or SIGTERM) a role and wait for it to exit. */
  async stop(role: Role, signal: 'SIGKILL' | 'SIGTERM' = 'SIGKILL'): Promise<void> {
    const state = this.state.get(role);
    const child = state?.child;
    if (!state || !child) return;
    state.stopping = true;
    state.peakKb = Math.max(state.peakKb, processMemoryKb(child.pid).peak);
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited(child);
  }

  async restart(role: Role): Promise<void> {
    await this.stop(role, 'SIGKILL');
    this.start(role);
  }

  pidOf(role: Role): number | undefined {
    return this.state.get(role)?.child?.pid;
  }

  /** Peak RSS (MB) of each role over all its processes so far. */
  peakRssMb(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [role, state] of this.state) {
      const now = processMemoryKb(state.child?.pid).peak;
      const kb = Math.max(state.peakKb, now);
      if (state.starts > 0) out[role] = Math.round(kb / 1024);
    }
    return out;
  }

  /** Peak anonymous RSS (MB, sampled each second) of each role over all its processes so far. */
  peakAnonRssMb(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [role, state] of this.state) {
      const kb = Math.max(state.peakAnonKb, processMemoryKb(state.child?.pid).anon);
      if (state.starts > 0) out[role] = Math.round(kb / 1024);
    }
    return out;
  }

  restarts(): Record<string, { starts: number; unexpectedExits: number }> {
    const out: Record<string, { starts: number; unexpectedExits: number }> = {};
    for (const [role, state] of this.state)
      if (state.starts > 0) out[role] = { starts: state.starts, unexpectedExits: state.unexpectedExits };
    return out;
  }

  get mappedTopics(): string[] {
    return [...new Set(mappings.flatMap((mapping) => mapping.topics))];
  }

  /** Records each consumer stage has not yet committed. */
  async lag(): Promise<StageLag> {
    const committed = async (
      groupId: string,
      topics: string[],
    ): Promise<(topic: string, partition: number) => bigint | undefined> => {
      const offsets = await this.admin.fetchOffsets({ groupId, topics });
      return (topic, partition) => {
        const offset = offsets
          .find((entry) => entry.topic === topic)
          ?.partitions.find((entry) => entry.partition === partition)?.offset;
        return offset === undefined || offset === '-1' ? undefined : BigInt(offset);
      };
    };
    const existing = new Set(await this.admin.listTopics());
    const fragmentTopics = entityCatalog
      .map((contract) => fragmentsTopic(contract.entity))
      .filter((topic) => existing.has(topic));
    const canonicalTopics = entityTables
      .map((spec) => `canonical.${spec.entity}`)
      .filter((topic) => existing.has(topic));
    const client = new pg.Client({ connectionString: this.databaseUrl });
    client.on('error', () => undefined);
    await client.connect();
    let stored: { topic: string; partition: number; next_offset: string }[];
    try {
      stored = (
        await client.query<{ topic: string; partition: number; next_offset: string }>(
          'SELECT topic, partition, next_offset FROM tributary_sink_offsets WHERE group_id = $1',
          [this.groups.sink],
        )
      ).rows;
    } finally {
      await client.end();
    }
    const mapped = this.mappedTopics.filter((topic) => existing.has(topic));
    return {
      map: await behind(this.admin, mapped, await committed(this.groups.map, mapped)),
      merge: await behind(this.admin, fragmentTopics, await committed(this.groups.merge, fragmentTopics)),
      sink: await behind(this.admin, canonicalTopics, (topic, partition) => {
        const row = stored.find((entry) => entry.topic === topic && entry.partition === partition);
        return row ? BigInt(row.next_offset) : undefined;
      }),
    };
  }

  /** Sum of the high watermarks of topics (records incl. transaction markers). */
  async endOffsets(topics: readonly string[]): Promise<number> {
    let total = 0;
    for (const topic of topics)
      for (const end of await this.admin.fetchTopicOffsets(topic))
        total += Number(end.high) - Number(end.low);
    return total;
  }

  async simulatorPost(kind: 'hr' | 'erp', path: string, body: unknown): Promise<unknown> {
    const response = await fetch(`${kind === 'hr' ? this.hrUrl : this.erpUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`${kind} ${path}: ${response.status} ${await response.text()}`);
    return response.json();
  }

  async simulatorGet(kind: 'hr' | 'erp', path: string): Promise<unknown> {
    const response = await fetch(`${kind === 'hr' ? this.hrUrl : this.erpUrl}${path}`);
    if (!response.ok) throw new Error(`${kind} ${path}: ${response.status}`);
    return response.json();
  }

  /** Stops every role and simulator; drops the run's databases unless `keepDatabases`. */
  async close(options: { keepDatabases?: boolean } = {}): Promise<void> {
    if (this.closed) return;
    for (const role of roles) await this.stop(role, 'SIGKILL');
    this.closed = true;
    for (const child of this.simulators) {
      child.kill('SIGTERM');
      await exited(child);
    }
    const admin = new pg.Client({ connectionString: withDatabase(this.databaseUrl, 'postgres') });
    await admin.connect();
    try {
      await admin.query(
        'SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1',
        [`tributary_${this.cdcSource}`],
      );
      if (!options.keepDatabases) {
        for (const url of [this.databaseUrl, this.payrollUrl]) {
          const name = new URL(url).pathname.slice(1);
          await admin.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`);
        }
      }
    } finally {
      await admin.end();
    }
    await this.admin.disconnect();
  }
}
