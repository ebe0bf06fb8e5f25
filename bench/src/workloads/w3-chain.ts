/**
 * W3: dispatch cost of reverse mode. The gradient of sum(x_L) through a chain of L = 1,000 links
 * x <- tanh(x * 1.01 + 0.1) on 16 float32 elements (3 ops a link), in microseconds per op.
 * When a library fails at the full length (jax-js overflows the stack there), the cell is rerun
 * in a fresh process (a stack overflow can leave a library unusable), where the figure it
 * reached is found by doubling from 16 links, one run per length, up to the first failure or
 * while the next length fits the budget (a run may cost 8x the previous one: jax-js jit compile
 * time grows about 4x per doubling and takes ~55 s to overflow at 500 links), then measuring the
 * longest length that ran. Upwards rather than halving down, since failures can be that slow.
 */

import type { Reps } from '../lib/config.js'
import { Budget, errorText, measure, type Timing } from '../lib/measure.js'
import { mulberry32, uniform, type HostTensor } from '../lib/rng.js'
import type { Peer } from '../peers/peer.js'
import { timingRow, type Workload } from './workload.js'

const sumOf = (g: Float32Array): number => g.reduce((a, b) => a + b, 0)
const failed = (e: unknown): Timing => ({ status: 'error', median: NaN, min: NaN, reps: 0, firstMs: NaN, times: [], error: errorText(e) })

const attempt0 = async (peer: Peer, mode: string, links: number, x: HostTensor, budget: Budget, reps: Reps): Promise<{ t: Timing; checksum: number }> => {
  let checksum = NaN
  try {
    const task = peer.chainGrad(links, x, mode)
    const t = await measure(async () => { checksum = sumOf(await task.run()) }, { ...reps, budget })
    task.dispose()
    return { t, checksum }
  } catch (e) {
    return { t: failed(e), checksum }
  }
}

/** One run at a length: does it work, and how long did it take? */
const probe = async (peer: Peer, mode: string, links: number, x: HostTensor): Promise<number> => {
  const t0 = performance.now()
  try {
    const task = peer.chainGrad(links, x, mode)
    await task.run()
    task.dispose()
    return performance.now() - t0
  } catch {
    return NaN
  }
}

export const w3: Workload = {
  id: 'W3',
  title: (c) => `W3 grad through ${c.w3.links} links x = tanh(x * 1.01 + 0.1) on ${c.w3.elements} elements (us per op, 3 ops a link)`,
  modes: 'each',
  cases: (c) => [`links=${c.w3.links}`],
  budgetMs: (c) => c.budgetMs,
  async run({ config, peer, attempt, emit, progress }) {
    const { links, elements } = config.w3
    const x = uniform(mulberry32(config.seed + 3), [elements], -0.5, 0.5)
    for (const mode of peer.modes) {
      const base = { workload: 'W3', case: `links=${links}`, peer: peer.id, mode, unit: 'us/op' }
      const budget = new Budget(config.budgetMs)
      if (attempt === 0) {
        const full = await attempt0(peer, mode, links, x, budget, config.reps)
        if (full.t.status !== 'error') {
          emit(timingRow(base, full.t, 1000 / (3 * links), { links_reached: links, checksum: full.checksum }))
        } else {
          // A library that overflowed its stack may be unusable in this process: the parent
          // reruns the cell in a fresh one (attempt 1) to find the length it does reach.
          emit(timingRow(base, full.t, 1, { links_reached: 0, retry: true }, `failed at ${links} links (${full.t.error})`))
        }
        continue
      }
      let reached = 0
      for (let n = 16; n < links && !budget.out; n *= 2) {
        const ms = await probe(peer, mode, n, x)
        if (!Number.isFinite(ms)) break
        reached = n
        // Kept by the parent if this cell has to be stopped: one run (with any compile) at n links.
        progress(timingRow(base, { status: 'error', median: ms, min: ms, reps: 0, firstMs: ms, times: [] }, 1000 / (3 * n),
          { links_reached: n }, `in a fresh process, the figure is one run, compile included, at ${n} links`))
        if (ms * 8 > budget.left) break
      }
      if (reached === 0) {
        emit({ ...base, status: 'error', value: NaN, min: NaN, reps: 0, extra: { links_reached: 0 }, note: 'in a fresh process, it failed at 16 links too' })
        continue
      }
      const r = await attempt0(peer, mode, reached, x, new Budget(Math.max(budget.left, 1)), { ...config.reps, warmup: 0, warmupMs: 0 })
      const note = `in a fresh process, figure measured at ${reached} links, the longest that ran when doubling from 16` +
        (r.t.status === 'over-budget' ? ', within what was left of the budget' : '')
      emit(timingRow(base, { ...r.t, status: 'error' }, 1000 / (3 * reached), { links_reached: reached, checksum: r.checksum }, note))
    }
  },
}
