import { Command, CommanderError } from 'commander';
import { TributaryError } from '../errors.js';
import { registerCdcCommand } from './cdcCommand.js';
import { registerChaosCommand } from './chaosCommand.js';
import { registerDemoCommand } from './demoCommand.js';
import { registerMigrateCommand } from './migrateCommand.js';
import { registerOpsCommands } from './opsCommands.js';
import { registerReconcileCommand } from './reconcileCommand.js';
import { registerRunCommands } from './runCommands.js';
import { registerSchemasCommand } from './schemasCommand.js';
import { registerSinkCommand } from './sinkCommand.js';
import { registerStackCommand } from './stackCommand.js';
import { registerTopicsCommand } from './topicsCommand.js';

/** The `tributary` command: one process per role plus operational commands. */
export function buildProgram(): Command {
  const program = new Command('tributary')
    .description('Tributary: ingest enterprise data into one canonical, typed model (Kafka + PostgreSQL)')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  registerStackCommand(program);
  registerMigrateCommand(program);
  registerTopicsCommand(program);
  registerSchemasCommand(program);
  registerRunCommands(program);
  registerSinkCommand(program);
  registerCdcCommand(program);
  registerOpsCommands(program);
  registerReconcileCommand(program);
  registerChaosCommand(program);
  registerDemoCommand(program);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version exit "successfully" through an exception.
      return error.exitCode;
    }
    const reason =
      error instanceof TributaryError
        ? `${error.code}: ${error.message}`
        : error instanceof Error
          ? error.message
          : String(error);
    process.stderr.write(`tributary: ${reason.split('\n')[0]}\n`);
    if (process.env['TRIBUTARY_DEBUG'] && error instanceof Error) process.stderr.write(`${error.stack}\n`);
    return 1;
  }
}
