import { defineConfig } from 'vitest/config'

// The op, differentiation and core suites run once per backend (PUREGRAD_BACKEND, see
// test/setup/backend.ts); everything else runs once. The JSON report is what CI reads for its
// closing "N passed, N failed" line (.ci/summary.mjs).
const perBackend = ['test/core/**/*.test.ts', 'test/ops/**/*.test.ts', 'test/diff/**/*.test.ts']

export default defineConfig({
  test: {
    reporters: ['default', ['json', { outputFile: '.vitest-results.json' }]],
    testTimeout: 60_000,
    pool: 'forks',
    projects: [
      { extends: true, test: { name: 'js', include: ['test/**/*.test.ts'] } },
      {
        extends: true,
        test: { name: 'wasm', include: perBackend, exclude: ['test/diff/tree.test.ts'], env: { PUREGRAD_BACKEND: 'wasm' }, setupFiles: ['test/setup/backend.ts'] },
      },
    ],
  },
})
