import type { Command } from 'commander';
import { runPostgresSink } from '../../sinks/postgres/runPostgresSink.js';
import { sinkSettingsFromEnv } from '../../sinks/postgres/sinkSettings.js';
import { selectEntityTables } from '../../sinks/postgres/specs/entityTables.js';
import { createContext } from '../context.js';

/** `tributary run sink postgres [--entities a,b]`: the sink role as a long-running process. */
export function registerSinkCommand(program: Command): void {
  const run =
    program.commands.find((command) => command.name() === 'run') ??
    program.command('run').description('run a role as a long-running process');
  const sink = run.command('sink').description('run a sink');
  sink
    .command('postgres')
    .description(
      'consume canonical topics and batch-upsert them into PostgreSQL (offsets stored with the rows)',
    )
    .option('--entities <names>', 'comma-separated entities (default: all known)')
    .action(async (options: { entities?: string }) => {
      const context = createContext(process.env, 'tributary-sink');
      const settings = sinkSettingsFromEnv(process.env);
      const entities = selectEntityTables(
        options.entities
          ?.split(',')
          .map((name) => name.trim())
          .filter(Boolean),
      );
      const code = await runPostgresSink(context, {
        sink: { ...settings.sink, entities },
        killAfterCommit: settings.killAfterCommit,
      });
      if (code !== 0) process.exitCode = code;
    });
}
