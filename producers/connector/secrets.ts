import { readFile } from 'node:fs/promises';
import { inspect } from 'node:util';
import { TributaryError } from '../../platform/errors.js';

const REDACTED = '[redacted]';

/**
 * A credential value that cannot leak by accident: string conversion, JSON serialisation and
 * util.inspect (what pino, console and vitest use) all print '[redacted]'. The only way to the
 * value is the explicit `reveal()`, called at the point it goes on the wire.
 */
export class Secret {
  readonly #value: string;
  /** Where it came from (env var name or file path): safe to log, useful when it is wrong. */
  readonly origin: string;

  constructor(value: string, origin = 'inline') {
    this.#value = value;
    this.origin = origin;
  }

  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return REDACTED;
  }
}

/** A secret is referenced by environment variable name or file path — never written inline. */
export type SecretRef = { env: string; file?: undefined } | { file: string; env?: undefined };

export interface SecretSources {
  /** @default process.env */
  env?: Readonly<Record<string, string | undefined>>;
  /** @default fs.promises.readFile as utf8 */
  readTextFile?: (path: string) => Promise<string>;
}

/**
 * Reads a secret from its reference. File contents are trimmed of a trailing newline (what
 * `echo` and Kubernetes secret mounts leave). Errors name the reference, never the value.
 */
export async function readSecret(ref: SecretRef, sources: SecretSources = {}): Promise<Secret> {
  if (ref.env !== undefined) {
    const value = (sources.env ?? process.env)[ref.env];
    if (value === undefined || value === '') {
      throw new TributaryError('CONFIG_INVALID', `secret environment variable ${ref.env} is not set`, {
        details: { env: ref.env },
      });
    }
    return new Secret(value, `env:${ref.env}`);
  }
  const read = sources.readTextFile ?? ((path: string) => readFile(path, 'utf8'));
  let text: string;
  try {
    text = await read(ref.file);
  } catch (error) {
    throw new TributaryError('CONFIG_INVALID', `secret file ${ref.file} cannot be read`, {
      cause: error,
      details: { file: ref.file },
    });
  }
  const value = text.replace(/\r?\n$/, '');
  if (value === '') {
    throw new TributaryError('CONFIG_INVALID', `secret file ${ref.file} is empty`, {
      details: { file: ref.file },
    });
  }
  return new Secret(value, `file:${ref.file}`);
}
