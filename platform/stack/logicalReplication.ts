import { readdirSync } from 'node:fs';
import pg from 'pg';
import { TributaryError } from '../errors.js';
import { withDatabase } from '../postgres.js';
import { runSync } from './processes.js';

/** Slots and WAL senders a CDC producer needs besides what the cluster already uses. */
const minimumSlots = 10;
const minimumWalSenders = 10;

export interface LogicalReplicationStatus {
  /** Whether this call changed settings and restarted the local cluster. */
  restarted: boolean;
  walLevel: string;
}

function isLocal(url: string): boolean {
  const host = new URL(url).hostname;
  return host === '127.0.0.1' || host === 'localhost' || host === '::1' || host === '';
}

async function readSettings(url: string): Promise<{ walLevel: string; slots: number; senders: number }> {
  const client = new pg.Client({
    connectionString: withDatabase(url, 'postgres'),
    connectionTimeoutMillis: 5_000,
  });
  try {
    await client.connect();
    const result = await client.query<{ name: string; setting: string }>(
      `SELECT name, setting FROM pg_settings WHERE name IN ('wal_level', 'max_replication_slots', 'max_wal_senders')`,
    );
    const byName = new Map(result.rows.map((row) => [row.name, row.setting]));
    return {
      walLevel: byName.get('wal_level') ?? 'unknown',
      slots: Number(byName.get('max_replication_slots') ?? 0),
      senders: Number(byName.get('max_wal_senders') ?? 0),
    };
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function waitUntilAccepting(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      await readSettings(url);
      return;
    } catch (error) {
      lastError = error;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  throw new TributaryError('STACK_START_FAILED', 'PostgreSQL did not accept connections after the restart', {
    cause: lastError,
  });
}

/**
 * Makes sure the PostgreSQL at `databaseUrl` runs with `wal_level = logical`, which CDC needs.
 * On the local Debian cluster the settings are changed with ALTER SYSTEM and the cluster is
 * restarted once (wal_level only takes effect on a restart); a remote database (RDS) is never
 * touched — the error names the setting and the RDS parameter group switch instead.
 */
export async function ensureLogicalReplication(
  databaseUrl: string,
  report: (line: string) => void,
): Promise<LogicalReplicationStatus> {
  const settings = await readSettings(databaseUrl);
  const enough = settings.slots >= minimumSlots && settings.senders >= minimumWalSenders;
  if (settings.walLevel === 'logical' && (enough || !isLocal(databaseUrl))) {
    return { restarted: false, walLevel: settings.walLevel };
  }
  if (!isLocal(databaseUrl)) {
    throw new TributaryError(
      'DEPENDENCY_MISSING',
      `PostgreSQL at ${new URL(databaseUrl).host} runs with wal_level = ${settings.walLevel}; CDC needs wal_level = logical ` +
        '(on Amazon RDS/Aurora set the parameter rds.logical_replication = 1 in the DB parameter group and reboot the instance)',
    );
  }
  let versions: string[] = [];
  try {
    versions = readdirSync('/etc/postgresql');
  } catch {
    // not a Debian cluster layout
  }
  const version = versions.sort().at(-1);
  if (!version) {
    throw new TributaryError(
      'DEPENDENCY_MISSING',
      `local PostgreSQL runs with wal_level = ${settings.walLevel} and no Debian cluster was found to reconfigure; set wal_level = logical and restart it`,
    );
  }
  const client = new pg.Client({ connectionString: withDatabase(databaseUrl, 'postgres') });
  await client.connect();
  try {
    await client.query('ALTER SYSTEM SET wal_level = logical');
    if (settings.slots < minimumSlots)
      await client.query(`ALTER SYSTEM SET max_replication_slots = ${minimumSlots}`);
    if (settings.senders < minimumWalSenders)
      await client.query(`ALTER SYSTEM SET max_wal_senders = ${minimumWalSenders}`);
  } finally {
    await client.end().catch(() => undefined);
  }
  report(`restarting local PostgreSQL ${version} cluster to enable wal_level = logical`);
  const result = runSync('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', 'restart']);
  if (result.status !== 0) {
    throw new TributaryError(
      'STACK_START_FAILED',
      `could not restart PostgreSQL ${version}: ${result.output.trim()}`,
    );
  }
  await waitUntilAccepting(databaseUrl, 60_000);
  const after = await readSettings(databaseUrl);
  if (after.walLevel !== 'logical') {
    throw new TributaryError(
      'STACK_START_FAILED',
      `PostgreSQL still runs with wal_level = ${after.walLevel} after restart`,
    );
  }
  return { restarted: true, walLevel: after.walLevel };
}
