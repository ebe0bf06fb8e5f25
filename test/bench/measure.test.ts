/**
 * The bench's timing loop (bench/src/lib/measure.ts): warm-up by count and by time, the timed-run
 * bounds, and the budget. Fast kernels must be timed after the warm-up time, or the figures
 * measure the engine's baseline tier (V8 optimises wasm and JS only after they have run a while).
 */

import { describe, expect, it } from 'vitest'
import { Budget, measure } from '../../bench/src/lib/measure.js'

const busy = (ms: number): void => {
  const end = performance.now() + ms
  while (performance.now() < end) { /* spin: a run of known length */ }
}

/** A run that takes `ms`, recording when each run started. */
const counted = (ms: number) => {
  const c = { runs: 0, starts: [] as number[] }
  return { c, run: async () => { c.runs++; c.starts.push(performance.now()); busy(ms) } }
}

describe('measure', () => {
  it('warms up for at least warmupMs when that takes more runs than warmup', async () => {
    const { c, run } = counted(2)
    const t = await measure(run, { warmup: 1, warmupMs: 60, minReps: 5, maxReps: 5, targetMs: 0, budget: new Budget(10_000) })
    expect(t.status).toBe('ok')
    expect(t.reps).toBe(5)
    const warmups = c.runs - t.reps
    expect(warmups).toBeGreaterThan(1)
    // The first timed run starts only once 60 ms of warm-up have passed, and the last warm-up
    // run started before that (else it would not have run); 1 ms of slack for the clock reads
    // around the loop's test.
    expect(c.starts[warmups] - c.starts[0]).toBeGreaterThanOrEqual(59)
    expect(c.starts[warmups - 1] - c.starts[0]).toBeLessThan(61)
    expect(t.firstMs).toBeGreaterThanOrEqual(2)
  })

  it('does exactly warmup runs when warmupMs is 0', async () => {
    const { c, run } = counted(1)
    const t = await measure(run, { warmup: 3, warmupMs: 0, minReps: 10, maxReps: 10, targetMs: 0, budget: new Budget(10_000) })
    expect(c.runs).toBe(13)
    expect(t.times).toHaveLength(10)
    expect(t.median).toBeGreaterThanOrEqual(1)
    expect(t.min).toBeLessThanOrEqual(t.median)
  })

  it('stops warming up when the budget runs out, keeping the first run as the figure', async () => {
    const { run } = counted(5)
    const t = await measure(run, { warmup: 1, warmupMs: 10_000, minReps: 10, maxReps: 50, targetMs: 0, budget: new Budget(30) })
    expect(t.status).toBe('over-budget')
    expect(t.reps).toBe(0)
    expect(t.median).toBe(t.firstMs)
  })

  it('reports an error thrown by a run, with the runs timed before it', async () => {
    let n = 0
    const t = await measure(async () => { if (++n > 4) throw new Error('kernel failed') }, {
      warmup: 1, warmupMs: 0, minReps: 10, maxReps: 10, targetMs: 0, budget: new Budget(10_000),
    })
    expect(t.status).toBe('error')
    expect(t.error).toBe('Error: kernel failed')
    expect(t.reps).toBe(3)
  })
})
