/**
 * The short CI version of the soak benchmark (bench/soak/soak.ts, long figures in
 * docs/reliability.md): the same MLP + Adam loop for 3,000 steps on the js and wasm backends,
 * synchronous and asynchronous, asserting the stated bounds after a 1,000-step warm-up (peak RSS
 * growth under 50 MiB, heap in use after a forced GC growing under 5 MiB) and that it learns.
 */

import { describe, expect, it } from 'vitest'
import { registerBackend } from '../../src/index.js'
import { createWasmBackend } from '../../src/backends/wasm/index.js'
import { runSoak } from '../../bench/soak/run.js'

registerBackend(createWasmBackend())

const STEPS = Number(process.env.PUREGRAD_SOAK_STEPS ?? 3000)

describe(`soak, ${STEPS} steps`, () => {
  for (const backend of ['js', 'wasm']) {
    for (const mode of ['sync', 'async'] as const) {
      it(`${backend}, ${mode}: memory stays within the bounds after warm-up`, async () => {
        const r = await runSoak({ steps: STEPS, backend, mode, sampleEvery: 250, warmup: Math.floor(STEPS / 3), rssBoundMB: 50, heapBoundMB: 5 })
        expect(r.verdict).toMatch(/^PASS/)
        expect(r.rssGrowthMB).toBeLessThan(50)
        expect(r.heapGrowthMB).toBeLessThan(5)
        expect(r.lastLoss).toBeLessThan(r.firstLoss / 10)
      })
    }
  }
})
