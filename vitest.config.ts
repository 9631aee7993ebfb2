import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          sequence: { groupOrder: 0 },
          include: ['test/**/*.test.ts'],
          exclude: ['test/**/*.int.test.ts', 'test/chaos/**'],
          testTimeout: 20_000,
        },
      },
      {
        test: {
          name: 'integration',
          sequence: { groupOrder: 1 },
          include: ['test/**/*.int.test.ts'],
          // The chaos run restarts the broker and resets topics: it runs alone (npm run test:chaos).
          exclude: ['test/chaos/**', '**/node_modules/**'],
          globalSetup: ['test/setup/stack.ts'],
          testTimeout: 180_000,
          hookTimeout: 180_000,
          // Two cores: integration files share one broker and one database server.
          maxWorkers: 2,
          fileParallelism: true,
        },
      },
    ],
  },
});
