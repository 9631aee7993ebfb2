import { printTable } from '../cli/output.js';
import { type ReconcileOptionsInput, type ReconcileReport, reconcile } from './reconcile.js';

/**
 * The report as printable lines: a figures table (stage by stage, with a short checksum so two
 * stages can be compared by eye), the differences with their first keys, the dead-lettered
 * records, notes, and a verdict line.
 */
export function formatReconcile(report: ReconcileReport): string[] {
  const lines: string[] = [];
  const collect = (text: string): void => {
    lines.push(...text.replace(/\n$/, '').split('\n'));
  };
  printTable(
    ['entity', 'stage', 'records', 'checksum', 'where', 'note'],
    report.figures.map((figure) => [
      figure.entity,
      figure.stage,
      figure.records === null ? '-' : String(figure.records),
      figure.checksum === null ? '-' : figure.checksum.slice(0, 12),
      figure.where,
      figure.note ?? '',
    ]),
    collect,
  );
  const differing = report.drift.filter((entry) => entry.count > 0);
  lines.push('');
  if (differing.length === 0) lines.push('differences: none');
  else {
    lines.push('differences:');
    for (const entry of differing) {
      lines.push(`  ${entry.entity} ${entry.stage} vs ${entry.against}: ${entry.count} ${entry.kind}`);
      for (const key of entry.sample) lines.push(`    ${key}`);
      if (entry.count > entry.sample.length) lines.push(`    … ${entry.count - entry.sample.length} more`);
    }
  }
  const dead = report.deadLettered.filter((entry) => entry.count > 0);
  if (dead.length > 0) {
    lines.push('dead-lettered (in a DLQ on purpose, not counted as drift; see `tributary dlq list`):');
    for (const entry of dead) {
      lines.push(`  ${entry.entity} ${entry.stage}: ${entry.count}`);
      for (const key of entry.sample) lines.push(`    ${key}`);
      if (entry.count > entry.sample.length) lines.push(`    … ${entry.count - entry.sample.length} more`);
    }
  }
  for (const note of report.notes) lines.push(`note: ${note}`);
  const total = differing.reduce((sum, entry) => sum + entry.count, 0);
  lines.push(
    report.ok
      ? 'reconcile: OK — every checked stage matches'
      : `reconcile: DRIFT — ${total} records differ in ${differing.length} comparisons`,
  );
  return lines;
}

/** The CLI's exit code: 1 when any checked stage differs from its reference, else 0. */
export function reconcileExitCode(report: ReconcileReport): 0 | 1 {
  return report.ok ? 0 : 1;
}

/**
 * Runs reconcile and returns the report's printable lines (the demo prints them at its end), plus
 * the report itself for callers that want the verdict.
 */
export async function reconcileReport(
  options: ReconcileOptionsInput,
): Promise<{ lines: string[]; report: ReconcileReport }> {
  const report = await reconcile(options);
  return { lines: formatReconcile(report), report };
}
