import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** Whether a process with this pid exists (signal 0 checks without touching it). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Reads a pid file; a pid whose process is gone (or is not ours any more) counts as none. */
export function readPid(pidFile: string, expectInCommand?: string): number | undefined {
  if (!existsSync(pidFile)) return undefined;
  const pid = Number.parseInt(readFileSync(pidFile, 'utf8').trim(), 10);
  if (!Number.isInteger(pid) || !isAlive(pid)) return undefined;
  if (expectInCommand) {
    // Guards against pid reuse after a reboot: only a process whose command line names our
    // service counts as ours, so `down` never signals somebody else's process.
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (!cmdline.includes(expectInCommand)) return undefined;
    } catch {
      return undefined;
    }
  }
  return pid;
}

export interface SpawnDetachedOptions {
  command: string;
  args: string[];
  cwd: string;
  logFile: string;
  pidFile: string;
  env?: NodeJS.ProcessEnv;
}

/** Starts a long-running service that outlives this CLI process; output goes to its log file. */
export function spawnDetached(options: SpawnDetachedOptions): number {
  mkdirSync(dirname(options.logFile), { recursive: true });
  const out = openSync(options.logFile, 'a');
  const child = spawn(options.command, options.args, {
    cwd: options.cwd,
    detached: true,
    stdio: ['ignore', out, out],
    env: options.env ?? process.env,
  });
  closeSync(out);
  if (child.pid === undefined) throw new Error(`could not start ${options.command}`);
  child.unref();
  writeFileSync(options.pidFile, `${child.pid}\n`);
  return child.pid;
}

/** SIGTERM, wait up to `graceMs`, then SIGKILL. Resolves when the process is gone. */
export async function stopPid(pid: number, graceMs = 20_000): Promise<'terminated' | 'killed'> {
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return 'terminated';
  }
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return 'terminated';
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
  while (isAlive(pid)) await new Promise((resolve) => setTimeout(resolve, 50));
  return 'killed';
}

export function removeFile(path: string): void {
  rmSync(path, { force: true });
}

/** Resident memory of a process in bytes, from /proc (undefined when it is gone). */
export function residentBytes(pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /VmRSS:\s+(\d+)\s+kB/.exec(status);
    return match?.[1] ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Runs a command to completion; returns its exit status and output. */
export function runSync(command: string, args: string[], cwd?: string): { status: number; output: string } {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.error) return { status: -1, output: String(result.error.message) };
  return { status: result.status ?? -1, output: `${result.stdout ?? ''}${result.stderr ?? ''}` };
}
