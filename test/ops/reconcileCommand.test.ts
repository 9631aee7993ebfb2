import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { parseSourceUrls, registerReconcileCommand } from '../../platform/cli/reconcileCommand.js';

describe('tributary reconcile (CLI)', () => {
  it('parses --source-url name=url pairs and refuses anything else', () => {
    expect(parseSourceUrls(['hr=http://127.0.0.1:1/', 'erp=https://erp.example'])).toEqual(
      new Map([
        ['hr', 'http://127.0.0.1:1/'],
        ['erp', 'https://erp.example'],
      ]),
    );
    expect(() => parseSourceUrls(['payroll=http://x'])).toThrow(/hr=<http url>/);
    expect(() => parseSourceUrls(['hr=ftp://x'])).toThrow(/hr=<http url>/);
    expect(() => parseSourceUrls(['http://x'])).toThrow(/hr=<http url>/);
  });

  it('registers the command with its options', () => {
    const program = new Command('tributary');
    registerReconcileCommand(program);
    const command = program.commands.find((candidate) => candidate.name() === 'reconcile');
    expect(command?.options.map((option) => option.long)).toEqual([
      '--entity',
      '--source-url',
      '--payroll-url',
      '--no-database',
      '--sample',
      '--metrics-file',
      '--json',
    ]);
  });
});
