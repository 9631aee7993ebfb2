/**
 * Runs one simulator as its own process, so tests can SIGKILL the processes around it (or it):
 *
 *   node --import tsx producers/simulators/serve.ts hr|erp --port 0 --seed 7 --records 100000 \
 *     [--host 127.0.0.1] [--auth oauth2|apiKey|basic] [--token-ttl 60] \
 *     [--faults '{"rateLimit":{"probability":0.1}}'] [--churn '{"everyRequests":3,"count":5}'] \
 *     [--options '{...any HrSimulatorOptionsInput/ErpSimulatorOptionsInput...}']
 *
 * Once listening it prints one JSON line to stdout: {"event":"listening","kind","url","port","pid"}.
 * SIGTERM/SIGINT stop it cleanly (exit 0). JSON flags may be given as @path to read a file.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { errorMessage } from '../../platform/errors.js';
import { ErpSimulator } from './erp/erpSimulator.js';
import { HrSimulator } from './hr/hrSimulator.js';
import type { SimulatorServer } from './simulatorServer.js';

function json(flag: string, value: string | undefined): Record<string, unknown> {
  if (value === undefined) return {};
  const text = value.startsWith('@') ? readFileSync(value.slice(1), 'utf8') : value;
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
      throw new Error('not an object');
    return parsed as Record<string, unknown>;
  } catch (error) {
    throw new Error(`--${flag} must be a JSON object: ${errorMessage(error)}`);
  }
}

function integer(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new Error(`--${flag} must be a non-negative integer`);
  return Number(value);
}

async function main(argv: readonly string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      port: { type: 'string', default: '0' },
      host: { type: 'string', default: '127.0.0.1' },
      seed: { type: 'string' },
      records: { type: 'string' },
      auth: { type: 'string' },
      'token-ttl': { type: 'string' },
      faults: { type: 'string' },
      churn: { type: 'string' },
      options: { type: 'string' },
    },
  });
  const kind = positionals[0];
  if (kind !== 'hr' && kind !== 'erp')
    throw new Error('usage: serve.ts hr|erp [--port N] [--seed S] [--records N] …');
  const options: Record<string, unknown> = json('options', values.options);
  const seed = integer('seed', values.seed);
  const records = integer('records', values.records);
  if (seed !== undefined) options['seed'] = seed;
  if (records !== undefined) options['records'] = records;
  if (values.faults !== undefined) options['faults'] = json('faults', values.faults);
  if (values.churn !== undefined) options['churn'] = json('churn', values.churn);
  const ttl = integer('token-ttl', values['token-ttl']);
  if (values.auth !== undefined || ttl !== undefined) {
    const auth: Record<string, unknown> = { ...(options['auth'] as Record<string, unknown> | undefined) };
    if (values.auth !== undefined) auth['kind'] = values.auth;
    auth['kind'] ??= kind === 'hr' ? 'oauth2' : 'basic';
    if (ttl !== undefined) auth['tokenTtlSeconds'] = ttl;
    options['auth'] = auth;
  }
  // The options are validated by the simulator's own schema; a bad value fails with its field name.
  const simulator: SimulatorServer =
    kind === 'hr' ? new HrSimulator(options as never) : new ErpSimulator(options as never);
  const started = await simulator.start({ port: integer('port', values.port) ?? 0, host: values.host });
  process.stdout.write(`${JSON.stringify({ event: 'listening', kind, ...started, pid: process.pid })}\n`);
  const shutdown = (): void => {
    simulator.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`simulator failed: ${errorMessage(error)}\n`);
  process.exit(2);
});
