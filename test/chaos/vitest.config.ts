import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

// The chaos run kills and restarts the local broker (by its pid file) and resets the pipeline
// topics, so it uses the project's local stack, never containers, and runs alone:
//   npm run test:chaos   (= vitest run --config test/chaos/vitest.config.ts)
process.env['TRIBUTARY_TEST_STACK'] ??= 'local';

export default defineConfig({
  test: {
    root: join(import.meta.dirname, '..', '..'),
    name: 'chaos',
    include: ['test/chaos/**/*.int.test.ts'],
    globalSetup: ['test/setup/stack.ts'],
    testTimeout: 900_000,
    hookTimeout: 300_000,
    fileParallelism: false,
    // The test refuses to run without it: inside the shared integration project it would wipe
    // the pipeline topics and kill the broker under the other tests.
    env: { TRIBUTARY_CHAOS_PROJECT: '1' },
  },
});
