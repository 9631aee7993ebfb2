import type { Command } from 'commander';

export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description('bring up the stack, migrate, apply topics and run the sample pipeline end to end')
    .action(async () => {
      const { runDemo } = await import('../demo/runDemo.js');
      await runDemo();
    });
}
