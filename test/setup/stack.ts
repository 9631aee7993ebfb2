import { spawnSync } from 'node:child_process';
import type { TestProject } from 'vitest/node';
import { ensureLogicalReplication } from '../../platform/stack/logicalReplication.js';
import { resolveEndpoints, type StackEndpoints, stackUp } from '../../platform/stack/stack.js';

declare module 'vitest' {
  export interface ProvidedContext {
    endpoints: StackEndpoints;
  }
}

function dockerEngineAnswers(): boolean {
  const result = spawnSync('docker', ['info', '--format', '{{.ServerVersion}}'], {
    encoding: 'utf8',
    timeout: 5_000,
  });
  return result.status === 0 && result.stdout.trim().length > 0;
}

/**
 * Where integration tests find Kafka, the registry and PostgreSQL: endpoints from the
 * environment when all three are set; otherwise containers when a Docker engine answers;
 * otherwise the project's own local stack (started, or reused when already up).
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const fromEnv = resolveEndpoints();
  if (fromEnv.external.kafka && fromEnv.external.registry && fromEnv.external.database) {
    project.provide('endpoints', fromEnv);
    return async () => undefined;
  }
  if (process.env['TRIBUTARY_TEST_STACK'] !== 'local' && dockerEngineAnswers()) {
    // Imported only here: testcontainers is heavy and useless without an engine.
    const { startContainerStack } = await import('./containers.js');
    const containers = await startContainerStack();
    project.provide('endpoints', containers.endpoints);
    return containers.stop;
  }
  const report = await stackUp({ report: (line) => process.stdout.write(`[stack] ${line}\n`) });
  // The CDC tests need logical decoding: switch the local cluster once (restarting it) if needed.
  await ensureLogicalReplication(report.endpoints.databaseUrl, (line) =>
    process.stdout.write(`[stack] ${line}\n`),
  );
  project.provide('endpoints', report.endpoints);
  return async () => undefined;
}
