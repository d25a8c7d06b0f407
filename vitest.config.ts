import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // A throwaway PostgreSQL for test/pg when RESIDENCY_TEST_PG is unset outside CI (test/pg/global-setup.ts).
    globalSetup: ['test/pg/global-setup.ts'],
  },
});
