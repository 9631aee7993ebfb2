import { join } from 'node:path';
import type { Command } from 'commander';
import { createContext } from '../context.js';
import { migrate } from '../migrate.js';
import { ensureDatabase } from '../postgres.js';
import { projectRoot } from '../stack/paths.js';

export function registerMigrateCommand(program: Command): void {
  program
    .command('migrate')
    .description('apply migrations/*.sql in order, exactly once each, under an advisory lock')
    .option('--dir <path>', 'migrations folder', join(projectRoot, 'migrations'))
    .action(async (options: { dir: string }) => {
      const { config, log } = createContext();
      await ensureDatabase(config.DATABASE_URL);
      const result = await migrate({ databaseUrl: config.DATABASE_URL, directory: options.dir, log });
      process.stdout.write(
        `migrations: ${result.applied.length} applied${result.applied.length ? ` (${result.applied.join(', ')})` : ''}, ${result.alreadyApplied.length} already applied\n`,
      );
    });
}
