import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

export const projectRoot = join(import.meta.dirname, '..', '..');

/** Starts a TypeScript entry point as a separate process (so it can be SIGKILLed by pid). */
export function spawnTs(
  entry: string,
  env: Record<string, string>,
  options: { inheritOutput?: boolean; args?: readonly string[] } = {},
): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', join(projectRoot, entry), ...(options.args ?? [])], {
    cwd: projectRoot,
    env: { ...process.env, ...env },
    stdio: options.inheritOutput ? 'inherit' : ['ignore', 'pipe', 'pipe'],
  });
}

export function waitForExit(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

export async function killHard(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGKILL');
  await waitForExit(child);
}

/** A seeded PRNG (mulberry32) so a failing chaos sequence can be replayed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
