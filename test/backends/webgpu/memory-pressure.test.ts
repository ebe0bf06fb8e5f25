/**
 * GPU and host memory of the webgpu backend in loops that leave reclaiming to the runtime, beyond
 * memory.test.ts (which forces collections):
 * - an asynchronous Adam loop (the soak's, bench/soak/run.ts) with no forced collection: tensors
 *   that escape grad wait for a full GC, which V8 schedules by its own heap; the backend's GC
 *   pressure hint (src/backends/webgpu/gc-pressure.ts) must keep the GPU bytes awaiting it, and so
 *   RSS on a software driver, bounded (without it they climbed past 100 MiB in the soak);
 * - a loop that never yields, run twice: what it piles up (escaped tensors, queued batches) is
 *   reclaimed once it yields, live GPU bytes return to baseline, the storage chunks the burst
 *   added are given back once the program moves on (a few steps and a read later), and the
 *   second burst does not add to the first.
 */

import { afterAll, describe, expect, it } from 'vitest'
import type { Tensor } from '../../../src/index.js'
import { BALLAST_BYTES } from '../../../src/backends/webgpu/gc-pressure.js'
import { runSoak } from '../../../bench/soak/run.js'
import { collect } from '../../helpers/gc.js'
import { GPU_TIMEOUT, requireBackend, setupWebGPU } from './device.js'
import { paramBytes, problem, step, type Params } from './mlp.js'

const setup = await setupWebGPU()
const MB = 2 ** 20
const rss = (): number => process.memoryUsage().rss / MB
/** Enough never-yielding steps (~8 KB each outside grad) to outgrow the first 16 MiB storage chunk. */
const STEPS = 3000

describe.skipIf(setup.skip !== undefined)(`webgpu memory without forced collections (${setup.skip ?? setup.driver})`, () => {
  afterAll(() => { if (setup.backend !== undefined) expect(setup.backend.stats.errors).toEqual([]) })

  it('an async Adam loop with no forced GC: GPU bytes awaiting finalizers stay bounded, and so do RSS and the heap', async () => {
    requireBackend(setup)
    const r = await runSoak({ steps: 1500, backend: 'webgpu', mode: 'async', sampleEvery: 50, warmup: 500, rssBoundMB: 50, heapBoundMB: 5 })
    const after = r.samples.filter((s) => s.step >= 500)
    const peakGpu = Math.max(...after.map((s) => s.backendMB))
    // Each step leaves ~40 KB outside grad (gradients, Adam's moments and temporaries, new
    // parameters): 40 MiB over these 1,000 steps if nothing collected them.
    expect(peakGpu, `GPU MiB along the run: ${after.map((s) => s.backendMB.toFixed(1)).join(' ')}`).toBeLessThan(16)
    // The hint is what did it: a ballast was alive at some sample (counted as external memory).
    expect(Math.max(...r.samples.map((s) => s.externalMB))).toBeGreaterThan(BALLAST_BYTES / MB)
    expect(r.verdict).toMatch(/^PASS/)
    expect(r.lastLoss).toBeLessThan(r.firstLoss)
    console.log(`async Adam, 1,500 steps: GPU bytes peak ${peakGpu.toFixed(2)} MiB after warm-up; ${r.verdict}`)
  }, GPU_TIMEOUT * 3)

  it('a loop that never yields, twice: baseline after each, the burst\'s storage given back, no growth from one burst to the next', async () => {
    const backend = requireBackend(setup)
    let prob: ReturnType<typeof problem> | null = problem('webgpu')
    const { x, y } = prob
    let p: Params = prob.params
    prob = null
    step(p, x, y)
    await backend.onIdle()
    await collect()
    const baseline = backend.stats.liveBytes()
    const reserved0 = backend.stats.reservedBytes()
    const rows: string[] = []
    const rssStart = rss()
    const rssAfter: number[] = []
    for (let round = 0; round < 2; round++) {
      const rss0 = rss()
      let last: Tensor | null = null
      for (let i = 0; i < STEPS; i++) [p, last] = step(p, x, y)
      const peakReserved = backend.stats.reservedBytes()
      const loss = (await (last as Tensor).data())[0]
      expect(Number.isFinite(loss)).toBe(true)
      last = null
      await collect()
      // The burst's last tensors (the parameters) sit in the chunk it added; the next steps place
      // theirs lowest first, and the next sync point after those are collected gives it back.
      for (let i = 0; i < 5; i++) [p] = step(p, x, y)
      await collect()
      await p.l1.b.data()
      const live = backend.stats.liveBytes()
      expect(Math.abs(live - baseline), `live bytes after round ${round}: ${live} vs ${baseline}`).toBeLessThanOrEqual(paramBytes() + 64)
      expect(peakReserved, 'the burst needed more storage than the baseline').toBeGreaterThan(reserved0)
      expect(backend.stats.reservedBytes(), 'reserved after the burst, given back').toBe(reserved0)
      rssAfter.push(rss())
      rows.push(`round ${round}: RSS ${rss0.toFixed(0)} -> ${rssAfter[round].toFixed(0)} MiB, reserved peak ${(peakReserved / MB).toFixed(0)} MiB -> ${(backend.stats.reservedBytes() / MB).toFixed(0)} MiB`)
    }
    // What a burst costs the host while it waits for its yield: 3,000 steps leave ~23 MiB of
    // tensors, a 16 MiB chunk and the queued batches (~0.5 KB per dispatch, with 256-byte meta
    // windows; 1 KiB windows and doubling chunks made it +250 MiB). The second burst reuses what
    // the first took: allocators keep freed pages, so RSS need not fall, and it moved within
    // +-32 MiB from round to round over five rounds, where a burst that kept its memory would add
    // the whole burst's cost again (~100 MiB).
    expect(Math.max(...rssAfter) - rssStart, rows.join('; ')).toBeLessThan(160)
    expect(rssAfter[1] - rssAfter[0], rows.join('; ')).toBeLessThan(64)
    console.log(`never-yielding loops of ${STEPS} steps: ${rows.join('; ')}`)
  }, GPU_TIMEOUT * 3)
})
