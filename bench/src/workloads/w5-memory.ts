/**
 * W5: memory over a long run of W2 steps (10,000 in the full run), each cell in its own process
 * so the resident set is the library's alone. RSS is sampled at evenly spaced steps; the figure
 * is the RSS at the end, with the growth over the run and over its second half (a flat run has
 * both near zero). puregrad runs the full length; the other libraries run until their budget.
 */

import { Budget, errorText, median } from '../lib/measure.js'
import { mlpInit, type Row, type Workload } from './workload.js'
import { w2Data } from './w2-mlp.js'

const MB = 1024 * 1024
type Sample = { step: number; rss_mb: number; heap_mb: number; array_buffers_mb: number }
const sample = (step: number): Sample => {
  const m = process.memoryUsage()
  const r = (x: number) => Math.round((x / MB) * 10) / 10
  return { step, rss_mb: r(m.rss), heap_mb: r(m.heapUsed), array_buffers_mb: r(m.arrayBuffers) }
}

export const w5: Workload = {
  id: 'W5',
  title: (c) => `W5 RSS over ${c.w5.steps} W2 steps, one process per library (MB at start -> end; puregrad at full length, peers within their budget)`,
  modes: 'first',
  cases: (c) => [`${c.w5.steps} steps`],
  budgetMs: (c, isPuregrad) => (isPuregrad ? Number.POSITIVE_INFINITY : c.w5BudgetMs),
  async run({ config, peer, isPuregrad, emit, progress }) {
    const { layers, batch } = config.w2
    const { steps, samples } = config.w5
    const every = Math.max(1, Math.floor(steps / samples))
    const init = mlpInit(config.seed, layers)
    const data = w2Data(config.seed, layers, batch)
    const budget = new Budget(isPuregrad ? Number.POSITIVE_INFINITY : config.w5BudgetMs)
    // One mode: the first one that trains (jax-js: jit, its best).
    for (const mode of peer.modes) {
      const trace: Sample[] = [sample(0)]
      const times: number[] = []
      const row = (status: Row['status'], error?: string): Row => {
        const end = trace[trace.length - 1]
        const start = trace[Math.min(1, trace.length - 1)]
        const mid = trace[Math.floor(trace.length / 2)]
        return {
          workload: 'W5', case: `${steps} steps`, peer: peer.id, mode, status, unit: 'MB',
          value: end.rss_mb, min: Math.min(...trace.map((s) => s.rss_mb)), reps: times.length,
          extra: {
            steps_done: times.length, steps_target: steps, rss_start_mb: start.rss_mb,
            rss_max_mb: Math.max(...trace.map((s) => s.rss_mb)), growth_mb: end.rss_mb - start.rss_mb,
            growth_second_half_mb: end.rss_mb - mid.rss_mb, ms_per_step: median(times), samples: trace,
          },
          ...(error ? { error } : {}),
        }
      }
      try {
        const tr = peer.mlp(init, { kind: 'adam', adam: config.adam }, mode)
        const b = tr.batch(data.x, data.y)
        for (let i = 1; i <= steps; i++) {
          const t0 = performance.now()
          await tr.step(b)
          times.push(performance.now() - t0)
          if (i % every === 0 || i === steps) {
            trace.push(sample(i))
            progress(row('over-budget'))
          }
          if (budget.out && i < steps) {
            trace.push(sample(i))
            emit(row('over-budget'))
            return
          }
        }
        emit(row('ok'))
        b.dispose()
        tr.dispose()
        return
      } catch (e) {
        emit(row('error', errorText(e)))
      }
    }
  },
}
