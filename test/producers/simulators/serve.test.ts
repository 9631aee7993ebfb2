import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { HrSimulator } from '../../../producers/simulators/hr/hrSimulator.js';
import { erpBasic } from './simulatorClient.js';

const children: ChildProcess[] = [];

afterEach(() => {
  for (const child of children.splice(0))
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

function serve(args: string[]): {
  child: ChildProcess;
  ready: Promise<{ url: string; port: number; pid: number }>;
} {
  const child = spawn(process.execPath, ['--import', 'tsx', 'producers/simulators/serve.ts', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  const ready = new Promise<{ url: string; port: number; pid: number }>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', (line) => resolve(JSON.parse(line) as { url: string; port: number; pid: number }));
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.once('exit', (code) => reject(new Error(`exited with ${code}: ${stderr}`)));
  });
  return { child, ready };
}

describe('serve.ts (simulator as a separate process)', () => {
  it('serves the same seeded data as in-process, mutates over HTTP and stops on SIGTERM', async () => {
    const { child, ready } = serve([
      'hr',
      '--port',
      '0',
      '--seed',
      '5',
      '--records',
      '200',
      '--auth',
      'apiKey',
    ]);
    const { url, pid } = await ready;
    expect(pid).toBe(child.pid);
    const page = await fetch(`${url}/v1/workers?limit=5`, { headers: { 'x-api-key': 'tributary-api-key' } });
    expect(page.status).toBe(200);
    const truth = (await (await fetch(`${url}/_admin/truth?resource=workers`)).json()) as unknown;
    expect(truth).toEqual(
      JSON.parse(JSON.stringify(new HrSimulator({ seed: 5, records: 200 }).groundTruth('workers'))),
    );
    const mutated = await fetch(`${url}/_admin/mutate`, {
      method: 'POST',
      body: JSON.stringify({ deletes: 2 }),
    });
    expect(mutated.status).toBe(200);
    const after = (await (await fetch(`${url}/_admin/truth?resource=workers`)).json()) as {
      deletedIds: string[];
    };
    expect(after.deletedIds).toHaveLength(2);
    child.kill('SIGTERM');
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(0);
  });

  it('applies --faults, and is gone once SIGKILLed', async () => {
    const { child, ready } = serve([
      'erp',
      '--seed',
      '1',
      '--records',
      '20',
      '--faults',
      JSON.stringify({ serverError: { count: 1, burst: 2 } }),
    ]);
    const { url } = await ready;
    const get = () => fetch(`${url}/odata/v4/Vendors`, { headers: { authorization: erpBasic } });
    expect((await get()).status).toBe(503);
    expect((await get()).status).toBe(503);
    expect((await get()).status).toBe(200);
    child.kill('SIGKILL');
    await once(child, 'exit');
    await expect(get()).rejects.toThrow();
  });

  it('fails with a message naming the bad option', async () => {
    const { ready } = serve(['hr', '--records', '10', '--faults', '{"timeout":{}}']);
    await expect(ready).rejects.toThrow(/exited with 2.*faults\.timeout/s);
    const usage = serve(['crm']);
    await expect(usage.ready).rejects.toThrow(/usage/);
  });
});
