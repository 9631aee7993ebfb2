import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, redactUrl } from '../../platform/logger.js';

describe('logger redaction', () => {
  it('never writes credentials, whatever object carries them', () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const log = createLogger({ level: 'info', destination });
    const canary = 'CANARY-s3cr3t-7731';
    log.info(
      {
        password: canary,
        auth: { clientSecret: canary, token: canary },
        headers: { authorization: `Bearer ${canary}` },
      },
      'x',
    );
    expect(lines.join('')).not.toContain(canary);
    expect(lines.join('')).toContain('[redacted]');
  });

  it('removes passwords and secret query parameters from URLs', () => {
    expect(redactUrl('postgres://u:pw@h:5432/db')).not.toContain('pw');
    expect(redactUrl('https://api.example/x?api_key=abc&page=2')).toBe(
      'https://api.example/x?api_key=redacted&page=2',
    );
  });
});
