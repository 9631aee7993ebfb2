import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { readSecret, Secret } from '../../../producers/connector/secrets.js';

const CANARY = 'canary-s3cr3t-7f1e';

describe('Secret', () => {
  it('never prints its value through string, JSON or inspect', () => {
    const secret = new Secret(CANARY, 'env:X');
    expect(String(secret)).toBe('[redacted]');
    expect(`${secret}`).toBe('[redacted]');
    expect(JSON.stringify({ secret })).toBe('{"secret":"[redacted]"}');
    expect(inspect({ nested: { secret } })).not.toContain(CANARY);
    expect(secret.reveal()).toBe(CANARY);
  });
});

describe('readSecret', () => {
  it('reads from an environment variable', async () => {
    const secret = await readSecret({ env: 'MY_KEY' }, { env: { MY_KEY: CANARY } });
    expect(secret.reveal()).toBe(CANARY);
    expect(secret.origin).toBe('env:MY_KEY');
  });

  it('reads from a file, dropping the trailing newline', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tributary-secret-'));
    const path = join(dir, 'key');
    await writeFile(path, `${CANARY}\n`);
    expect((await readSecret({ file: path })).reveal()).toBe(CANARY);
  });

  it('names the missing reference, not a value', async () => {
    await expect(readSecret({ env: 'NOPE' }, { env: {} })).rejects.toThrow(/NOPE is not set/);
    await expect(readSecret({ file: '/nonexistent/secret' })).rejects.toThrow(
      /\/nonexistent\/secret cannot be read/,
    );
    await expect(readSecret({ env: 'EMPTY' }, { env: { EMPTY: '' } })).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
    });
  });
});
