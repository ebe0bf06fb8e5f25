import { defineConfig } from 'vitest/config'

// The JSON report is what CI reads for its closing "N passed, N failed" line (.ci/summary.mjs).
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    reporters: ['default', ['json', { outputFile: '.vitest-results.json' }]],
    testTimeout: 60_000,
    pool: 'forks',
  },
})
