/**
 * GPU memory without dispose on the webgpu backend, over 2,000 training steps of a small MLP:
 * - a synchronous loop that reads nothing until the end (finalizers cannot run inside it): the
 *   core releases each step's intermediates when valueAndGrad returns, so only what the loop
 *   itself keeps making outside grad (new parameters, the update's temporaries, the loss) waits
 *   for the program to yield; after it yields, GPU bytes return to baseline;
 * - an asynchronous loop that awaits each loss: what escapes grad is reclaimed by finalizers at
 *   each garbage collection, so GPU bytes return to the same level at every collection (V8 picks
 *   when to collect; the test collects every 200 steps so the check does not depend on it).
 * Bytes are the backend's own count of GPU memory held by live tensors (`stats.liveBytes()`).
 */

import { afterAll, describe, expect, it } from 'vitest'
import type { Tensor } from '../../../src/index.js'
import { collect } from '../../helpers/gc.js'
import { GPU_TIMEOUT, requireBackend, setupWebGPU } from './device.js'
import { paramBytes, problem, step, type Params } from './mlp.js'

const setup = await setupWebGPU()
const STEPS = 2000

describe.skipIf(setup.skip !== undefined)(`webgpu memory over ${STEPS} training steps (${setup.skip ?? setup.driver})`, () => {
  afterAll(() => { if (setup.backend !== undefined) expect(setup.backend.stats.errors).toEqual([]) })

  it('a synchronous loop that reads nothing until the end: intermediates released each step, baseline after it yields', async () => {
    const backend = requireBackend(setup)
    let prob: ReturnType<typeof problem> | null = problem('webgpu')
    const { x, y } = prob
    let p: Params = prob.params
    prob = null
    step(p, x, y) // compile the pipelines and fill the constant cache before measuring
    await collect()
    const baseline = backend.stats.liveBytes()
    const reads0 = backend.stats.gpu.reads
    let first: Tensor | null = null
    let last: Tensor | null = null
    let peak = 0
    const t0 = performance.now()
    for (let i = 0; i < STEPS; i++) {
      const [next, l] = step(p, x, y)
      p = next
      if (i === 0) first = l
      last = l
      peak = Math.max(peak, backend.stats.liveBytes())
    }
    const ms = performance.now() - t0
    expect(backend.stats.gpu.reads, 'no reads inside the loop').toBe(reads0)
    const l0 = (await (first as Tensor).data())[0]
    const l1 = (await (last as Tensor).data())[0]
    expect(l1).toBeLessThan(l0)
    // Per step, what may wait for a yield is what the loop keeps making outside grad: the new
    // parameters, the gradients, the update's temporaries and the loss (about 3x the parameters).
    // The forward and backward intermediates of valueAndGrad are several times that and are gone.
    const perStep = (peak - baseline) / STEPS
    expect(perStep).toBeLessThan(3.5 * paramBytes())
    // Storage is sub-allocated in a few large buffers, so bind groups are made once, not per
    // dispatch (Dawn cannot recycle them until the loop yields).
    expect(backend.stats.gpu.bindGroups).toBeLessThan(16)
    first = null
    last = null
    await collect()
    const after = backend.stats.liveBytes()
    // Baseline already held one set of parameters: the final parameters replace them.
    expect(Math.abs(after - baseline), `live bytes after the loop: ${after} vs baseline ${baseline}`).toBeLessThanOrEqual(paramBytes() + 64)
    console.log(`sync loop: ${STEPS} steps in ${(ms / 1000).toFixed(1)} s; GPU bytes baseline ${baseline}, peak ${peak} (${perStep.toFixed(0)} B/step awaiting a yield), after ${after}; params ${paramBytes()} B`)
  }, GPU_TIMEOUT * 3)

  it('an asynchronous loop that awaits each step: GPU bytes back to the same level at every collection', async () => {
    const backend = requireBackend(setup)
    let prob: ReturnType<typeof problem> | null = problem('webgpu')
    const { x, y } = prob
    let p: Params = prob.params
    prob = null
    await collect()
    const baseline = backend.stats.liveBytes()
    const between: number[] = []
    const collected: number[] = []
    let lossFirst = NaN, lossLast = NaN
    const t0 = performance.now()
    for (let i = 0; i < STEPS; i++) {
      const [next, l] = step(p, x, y)
      p = next
      const v = (await l.data())[0]
      if (i === 0) lossFirst = v
      lossLast = v
      if (i % 200 === 199) {
        between.push(backend.stats.liveBytes())
        // A collection now, where V8 would run one on its own schedule (which load makes irregular).
        await collect(2)
        collected.push(backend.stats.liveBytes())
      }
    }
    const ms = performance.now() - t0
    expect(lossLast).toBeLessThan(lossFirst)
    // Flat: after every collection exactly the live parameters remain, at step 200 as at step 2,000
    // (nothing leaks: every escaped tensor was reclaimed), and between collections no more than
    // what escaped grad since the last one is waiting.
    for (const c of collected) expect(c, `after each collection: ${collected.join(' ')}`).toBe(collected[0])
    expect(Math.abs(collected[0] - baseline)).toBeLessThanOrEqual(paramBytes() + 64)
    for (const b of between) expect(b - baseline).toBeLessThan(200 * 3.5 * paramBytes())
    console.log(`async loop: ${STEPS} steps in ${(ms / 1000).toFixed(1)} s; GPU bytes baseline ${baseline}; every 200 steps before a collection ${between.join(' ')}, after ${collected.join(' ')}`)
  }, GPU_TIMEOUT * 3)
})
