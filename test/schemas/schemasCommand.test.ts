import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { registerSchemasCommand } from '../../platform/cli/schemasCommand.js';

function program(): Command {
  const root = new Command('tributary').exitOverride();
  registerSchemasCommand(root);
  return root;
}

afterEach(() => {
  vi.restoreAllMocks();
  process.exitCode = undefined;
});

describe('tributary schemas', () => {
  it('has register, check, catalog and generate subcommands, each described', () => {
    const schemas = program().commands.find((command) => command.name() === 'schemas');
    const subcommands = schemas?.commands.map((command) => [
      command.name(),
      command.description().length > 20,
    ]);
    expect(subcommands).toEqual([
      ['register', true],
      ['check', true],
      ['generate', true],
      ['catalog', true],
    ]);
  });

  it('check passes over the committed contracts', async () => {
    const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    await program().parseAsync(['schemas', 'check'], { from: 'user' });
    expect(process.exitCode).toBeUndefined();
    expect(out.mock.calls.map(([text]) => String(text)).join('')).toContain(
      '8 contracts compatible and up to date',
    );
  });

  it('catalog --out writes the catalog where asked', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'catalog-cli-'));
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      await program().parseAsync(['schemas', 'catalog', '--out', dir], { from: 'user' });
      const files = await readdir(dir);
      expect(files).toContain('README.md');
      expect(files).toContain('employee.schema.json');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
