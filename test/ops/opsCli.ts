/**
 * Runs the ops commands as the CLI would (tests and manual runs before main.ts wires them):
 *   node --import tsx test/ops/opsCli.ts status --json
 */
import { Command, CommanderError } from 'commander';
import { registerOpsCommands } from '../../platform/cli/opsCommands.js';
import { TributaryError } from '../../platform/errors.js';

const program = new Command('tributary').exitOverride();
registerOpsCommands(program);
try {
  await program.parseAsync(process.argv.slice(2), { from: 'user' });
} catch (error) {
  if (!(error instanceof CommanderError)) {
    const reason = error instanceof TributaryError ? `${error.code}: ${error.message}` : String(error);
    process.stderr.write(`tributary: ${reason}\n`);
  }
  process.exitCode = 1;
}
