import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { projectRoot } from '../../platform/stack/paths.js';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples?: number[];
  timeDeltas?: number[];
}

/**
 * Top functions by self time in each V8 CPU profile of a directory (`node --cpu-prof`), files named
 * `<role>-<n>.cpuprofile`: the hot spots of each role in one short list.
 */
export function summarizeProfiles(directory: string, top = 8): string[] {
  const lines: string[] = [];
  for (const file of readdirSync(directory)
    .filter((name) => name.endsWith('.cpuprofile'))
    .sort()) {
    const profile = JSON.parse(readFileSync(join(directory, file), 'utf8')) as CpuProfile;
    const byNode = new Map<number, ProfileNode>(profile.nodes.map((node) => [node.id, node]));
    const selfMicros = new Map<string, number>();
    let total = 0;
    const samples = profile.samples ?? [];
    const deltas = profile.timeDeltas ?? [];
    for (let i = 0; i < samples.length; i++) {
      const node = byNode.get(samples[i] ?? -1);
      const delta = deltas[i] ?? 0;
      if (!node) continue;
      total += delta;
      const { functionName, url, lineNumber } = node.callFrame;
      const where = url.startsWith('file://') ? relative(projectRoot, url.slice(7)) : url || '(native)';
      const key = `${functionName || '(anonymous)'} ${where}:${lineNumber + 1}`;
      selfMicros.set(key, (selfMicros.get(key) ?? 0) + delta);
    }
    const busy = [...selfMicros.entries()].filter(
      ([key]) => !key.startsWith('(idle)') && !key.startsWith('(program)'),
    );
    const busyTotal = busy.reduce((sum, [, micros]) => sum + micros, 0);
    lines.push(`${file}: ${(busyTotal / 1e6).toFixed(1)} s busy of ${(total / 1e6).toFixed(1)} s profiled`);
    for (const [key, micros] of busy.sort((a, b) => b[1] - a[1]).slice(0, top))
      lines.push(`  ${((micros / Math.max(1, busyTotal)) * 100).toFixed(1).padStart(5)} %  ${key}`);
  }
  return lines;
}
