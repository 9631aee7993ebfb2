import { readdirSync } from 'node:fs';
import pg from 'pg';
import { TributaryError } from '../errors.js';
import { ensureDatabase, withDatabase } from '../postgres.js';
import { runSync } from './processes.js';

async function canConnect(url: string): Promise<boolean> {
  const client = new pg.Client({
    connectionString: withDatabase(url, 'postgres'),
    connectionTimeoutMillis: 3_000,
  });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

function isLocal(url: string): boolean {
  const host = new URL(url).hostname;
  return host === '127.0.0.1' || host === 'localhost' || host === '::1' || host === '';
}

/**
 * Makes sure PostgreSQL answers at `url` and the database exists. A local Debian cluster that is
 * down is started with pg_ctlcluster; a remote one (RDS) is only checked.
 */
export async function ensurePostgres(
  url: string,
  report: (line: string) => void,
): Promise<{ started: boolean }> {
  let started = false;
  if (!(await canConnect(url))) {
    if (!isLocal(url)) {
      throw new TributaryError(
        'DEPENDENCY_MISSING',
        `PostgreSQL at DATABASE_URL (${new URL(url).host}) does not answer`,
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
        'PostgreSQL is not running on 127.0.0.1:5432 and no local cluster was found (Debian/Ubuntu: apt-get install postgresql), or set DATABASE_URL',
      );
    }
    report(`starting local PostgreSQL ${version} cluster`);
    const result = runSync('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', 'start']);
    // "already running" means it is (re)starting right now: give it time to accept connections.
    const deadline = Date.now() + 30_000;
    let up = await canConnect(url);
    while (!up && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      up = await canConnect(url);
    }
    if (!up) {
      throw new TributaryError(
        'STACK_START_FAILED',
        `could not start PostgreSQL ${version}: ${result.output.trim()}`,
      );
    }
    started = result.status === 0;
  }
  await ensureDatabase(url);
  return { started };
}

export async function postgresReachable(url: string): Promise<boolean> {
  return canConnect(url);
}
