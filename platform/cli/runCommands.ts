import type { Command } from 'commander';
import { type ProcessorName, processorNames, runProcessor } from '../../processors/runProcessor.js';
import { runProducer, syncOnce } from '../../producers/runtime/runProducer.js';
import { createContext } from '../context.js';
import { TributaryError } from '../errors.js';
import { cdcSources, runCdcSource } from './cdcCommand.js';
import { printTable } from './output.js';

function runGroup(program: Command): Command {
  return (
    program.commands.find((command) => command.name() === 'run') ??
    program
      .command('run')
      .description('run a role as a long-running process (one per Deployment on Kubernetes)')
  );
}

export function registerRunCommands(program: Command): void {
  const run = runGroup(program);
  run
    .command('producer')
    .description('poll a source on its schedule and publish changed records to raw.<source>.<stream>')
    .argument('<source>', 'source name: hr, erp (polling) or payroll (CDC)')
    .option('--streams <names>', 'comma-separated streams (default: all)')
    .action(async (source: string, options: { streams?: string }) => {
      if ((cdcSources as readonly string[]).includes(source)) {
        process.exitCode = await runCdcSource(source);
        process.exit();
      }
      const streams = options.streams?.split(',').filter(Boolean);
      await runProducer(createContext(process.env, `tributary-producer-${source}`), {
        source,
        ...(streams ? { streams } : {}),
      });
      await new Promise<void>(() => undefined); // runs until a signal stops the process
    });
  run
    .command('processor')
    .description('run a processor stage: map (raw → fragments) or merge (fragments → canonical)')
    .argument('<name>', processorNames.join(' | '))
    .action(async (name: string) => {
      if (!processorNames.includes(name as ProcessorName)) {
        throw new TributaryError('USAGE', `unknown processor "${name}"; known: ${processorNames.join(', ')}`);
      }
      await runProcessor(createContext(process.env, `tributary-processor-${name}`), name as ProcessorName);
      await new Promise<void>(() => undefined);
    });
  program
    .command('sync')
    .description('sync a source once (every stream, or --stream), print a report and exit')
    .argument('<source>', 'source name (hr, erp)')
    .option('--stream <name>', 'only this stream (repeat with commas)')
    .option(
      '--full',
      'ignore the cursor: read everything (and detect deletes where the stream uses full scans)',
    )
    .action(async (source: string, options: { stream?: string; full?: boolean }) => {
      const streams = options.stream?.split(',').filter(Boolean);
      const reports = await syncOnce(createContext(process.env, `tributary-sync-${source}`), {
        source,
        full: options.full ?? false,
        ...(streams ? { streams } : {}),
      });
      printTable(
        ['stream', 'outcome', 'pages', 'fetched', 'published', 'unchanged', 'deleted', 'seconds'],
        reports.map((report) => [
          report.stream,
          report.outcome,
          String(report.pages),
          String(report.fetched),
          String(report.published),
          String(report.unchanged),
          String(report.deleted),
          (report.durationMs / 1000).toFixed(1),
        ]),
      );
      if (reports.some((report) => report.outcome !== 'success')) process.exitCode = 1;
    });
}
