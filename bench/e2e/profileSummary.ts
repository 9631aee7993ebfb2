import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { projectRoot } from '../../platform/stack/paths.js';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples?: number[];
  timeDeltas?: number[];
}

interface ThreadSummary {
  busyMicros: number;
  totalMicros: number;
  byFunction: Map<string, number>;
  byPackage: Map<string, number>;
}

function where(url: string): string {
  if (!url) return '(native)';
  return url.startsWith('file://') ? relative(projectRoot, url.slice(7)) : url;
}

/** node_modules/<pkg> or the project folder (platform/, processors/, …) a function lives in. */
function packageOf(url: string): string {
  const path = where(url);
  const inModules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
  if (inModules) return inModules[1] ?? path;
  if (path.startsWith('node:')) return 'node internals';
  if (path === '(native)') return '(native: GC, syscalls)';
  return path.split('/').slice(0, 2).join('/');
}

function summarize(file: string): ThreadSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byNode = new Map<number, ProfileNode>(profile.nodes.map((node) => [node.id, node]));
  const summary: ThreadSummary = {
    busyMicros: 0,
    totalMicros: 0,
    byFunction: new Map(),
    byPackage: new Map(),
  };
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  for (let i = 0; i < samples.length; i++) {
    const node = byNode.get(samples[i] ?? -1);
    const delta = deltas[i] ?? 0;
    summary.totalMicros += delta;
    if (!node) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === '(idle)' || functionName === '(program)') continue;
    summary.busyMicros += delta;
    const key = `${functionName || '(anonymous)'} ${where(url)}:${lineNumber + 1}`;
    summary.byFunction.set(key, (summary.byFunction.get(key) ?? 0) + delta);
    const pkg = functionName === '(garbage collector)' ? '(garbage collector)' : packageOf(url);
    summary.byPackage.set(pkg, (summary.byPackage.get(pkg) ?? 0) + delta);
  }
  return summary;
}

/**
 * Hot spots of each process profiled with `node --cpu-prof --cpu-prof-dir=<dir>/<role>-<n>`: the
 * busiest thread of each directory (the tsx loader thread writes its own, nearly idle profile),
 * self time by package/folder and the top functions.
 */
export function summarizeProfiles(directory: string, top = 10): string[] {
  const lines: string[] = [];
  for (const name of readdirSync(directory).sort()) {
    const path = join(directory, name);
    if (!statSync(path).isDirectory()) continue;
    const threads = readdirSync(path)
      .filter((file) => file.endsWith('.cpuprofile'))
      .map((file) => summarize(join(path, file)));
    const main = threads.sort((a, b) => b.busyMicros - a.busyMicros)[0];
    if (!main) continue;
    const pct = (micros: number): string =>
      ((micros / Math.max(1, main.busyMicros)) * 100).toFixed(1).padStart(5);
    lines.push(
      `${name}: ${(main.busyMicros / 1e6).toFixed(1)} s on CPU of ${(main.totalMicros / 1e6).toFixed(1)} s`,
    );
    lines.push(
      `  by package: ${[...main.byPackage.entries()]
        .sort((a, b) => b[1] - a[1])
        .slice(0, 6)
        .map(([pkg, micros]) => `${pkg} ${pct(micros).trim()} %`)
        .join(', ')}`,
    );
    for (const [key, micros] of [...main.byFunction.entries()].sort((a, b) => b[1] - a[1]).slice(0, top))
      lines.push(`  ${pct(micros)} %  ${key}`);
  }
  return lines;
}
