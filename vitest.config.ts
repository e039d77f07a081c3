import { defineConfig } from 'vitest/config';

/**
 * Three projects, each with only the setup it needs (`npx vitest run --project unit|api|e2e`
 * runs one; `npm test` runs them all in one report):
 * - unit: pure functions and files, no database, no client build;
 * - api: the app on the seeded demo database (tests/setup/database.ts);
 * - e2e: the same database and the built client, driven in headless Chromium.
 */
export default defineConfig({
  test: {
    pool: 'forks',
    // two files at a time (unit, api): vitest's default (cores − 1) is one on a 2-core CI machine,
    // and most of an API file's time is spent waiting on PostgreSQL or a child process
    maxWorkers: Number(process.env.VITEST_MAX_WORKERS) || 2,
    testTimeout: 120_000,
    hookTimeout: 300_000,
    // .ci/run asks for a JSON report too, to sum the results of its runs
    reporters: process.env.VITEST_JSON_REPORT ? ['default', 'json'] : ['default'],
    outputFile: process.env.VITEST_JSON_REPORT ? { json: process.env.VITEST_JSON_REPORT } : undefined,
    projects: [
      { extends: true, test: { name: 'unit', include: ['tests/unit/**/*.test.ts'] } },
      { extends: true, test: { name: 'api', include: ['tests/api/**/*.test.ts'], exclude: ['tests/api/fuzz.test.ts'], globalSetup: ['tests/setup/database.ts'] } },
      // the fuzz holds every answer to the 5 s bound: it runs alone, after the files run two at a time
      { extends: true, test: { name: 'api-alone', include: ['tests/api/fuzz.test.ts'], globalSetup: ['tests/setup/database.ts'], maxWorkers: 1 } },
      {
        extends: true,
        // one browser at a time: two map renders in software GL on two cores starve each other
        test: { name: 'e2e', include: ['tests/e2e/**/*.test.ts'], globalSetup: ['tests/setup/database.ts', 'tests/setup/client.ts'], maxWorkers: 1 },
      },
    ],
  },
});
