/**
 * W1: float32 matrix product C = A B for square n x n matrices (n = 128, 512, 1024 in the full
 * run). Figure: milliseconds per product (median, min) including the read-back of C to the host,
 * and GFLOPS = 2 n^3 / time. A checksum of C lets the report confirm every library computed the
 * same product.
 */

import { Budget, measure } from '../lib/measure.js'
import { mulberry32, uniform } from '../lib/rng.js'
import { timingRow, type Workload } from './workload.js'

const checksum = (c: Float32Array): number => {
  let s = 0
  for (let i = 0; i < c.length; i++) s += c[i]
  return s
}

export const w1: Workload = {
  id: 'W1',
  title: () => 'W1 matmul float32 n x n (ms per product incl. read-back; GFLOPS = 2n^3 / median)',
  modes: 'each',
  cases: (c) => c.w1.sizes.map((n) => `n=${n}`),
  budgetMs: (c) => c.budgetMs,
  async run({ config, peer, emit, progress }) {
    for (const n of config.w1.sizes) {
      const rand = mulberry32(config.seed + n)
      const a = uniform(rand, [n, n], -1, 1)
      const b = uniform(rand, [n, n], -1, 1)
      for (const mode of peer.modes) {
        const base = { workload: 'W1', case: `n=${n}`, peer: peer.id, mode, unit: 'ms' }
        const gflops = (ms: number): number => (2 * n ** 3) / (ms * 1e6)
        let sum = NaN
        const task = peer.matmul(a, b, mode)
        const t = await measure(async () => { sum = checksum(await task.run()) }, {
          ...config.reps,
          budget: new Budget(config.budgetMs),
          progress: (p) => progress(timingRow(base, p, 1, { gflops: gflops(p.median) })),
        })
        task.dispose()
        emit(timingRow(base, t, 1, { gflops: gflops(t.median), gflops_best: gflops(t.min), checksum: sum }))
      }
    }
  },
}
