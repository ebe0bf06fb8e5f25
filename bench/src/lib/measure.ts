/**
 * Timing with a budget. A measurement does warm-up runs (at least `warmup` of them, and for at
 * least `warmupMs`, so fast kernels are timed after the engine has optimised them, not in its
 * baseline tier), then timed runs until it has at least `minReps` and has spent `targetMs`, or
 * hits `maxReps`, and reports median and min. The budget is
 * per table cell: when it runs out, the measurement stops after the current run and says so,
 * keeping the figure it reached (a single run cannot be interrupted, so a cell may overshoot by
 * one run).
 */

export type Status = 'ok' | 'over-budget' | 'error'

export class Budget {
  readonly start = performance.now()
  constructor(readonly ms: number) {}
  get elapsed(): number { return performance.now() - this.start }
  get left(): number { return this.ms - this.elapsed }
  get out(): boolean { return this.left <= 0 }
}

export interface Timing {
  readonly status: Status
  /** Median and min of the timed runs (ms); NaN when there were none. */
  readonly median: number
  readonly min: number
  readonly reps: number
  /** The first (warm-up) run: compile time shows here. */
  readonly firstMs: number
  readonly times: readonly number[]
  readonly error?: string
}

export const median = (xs: readonly number[]): number => {
  if (xs.length === 0) return NaN
  const s = [...xs].sort((a, b) => a - b)
  const h = s.length >> 1
  return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2
}

export interface MeasureOptions {
  readonly warmup: number
  readonly warmupMs: number
  readonly minReps: number
  readonly maxReps: number
  readonly targetMs: number
  readonly budget: Budget
  /** Called with the timing so far, at most about once a second (the parent keeps the last). */
  readonly progress?: (t: Timing) => void
}

export const errorText = (e: unknown): string => {
  const s = e instanceof Error ? `${e.name}: ${e.message}` : String(e)
  return s.length > 300 ? `${s.slice(0, 300)}...` : s
}

/**
 * With no timed run at all (the budget ran out during warm-up), the figure reached is the first
 * run itself, reported with reps = 0.
 */
export const summarize = (status: Status, times: readonly number[], firstMs: number, error?: string): Timing => {
  const ts = times.length === 0 && status === 'over-budget' && Number.isFinite(firstMs) ? [firstMs] : times
  return { status, median: median(ts), min: ts.length ? Math.min(...ts) : NaN, reps: times.length, firstMs, times, ...(error ? { error } : {}) }
}

export const measure = async (run: () => Promise<unknown>, o: MeasureOptions): Promise<Timing> => {
  const times: number[] = []
  let firstMs = NaN
  let lastReport = performance.now()
  try {
    const w0 = performance.now()
    for (let i = 0; i < o.warmup || performance.now() - w0 < o.warmupMs; i++) {
      const t0 = performance.now()
      await run()
      if (i === 0) firstMs = performance.now() - t0
      if (o.budget.out) return summarize('over-budget', times, firstMs)
    }
    let spent = 0
    while (times.length < o.maxReps && (times.length < o.minReps || spent < o.targetMs)) {
      const t0 = performance.now()
      await run()
      const dt = performance.now() - t0
      times.push(dt)
      spent += dt
      if (o.progress && performance.now() - lastReport > 1000) {
        lastReport = performance.now()
        o.progress(summarize('over-budget', times, firstMs))
      }
      if (o.budget.out && times.length < o.minReps) return summarize('over-budget', times, firstMs)
      if (o.budget.out) break
    }
    return summarize('ok', times, firstMs)
  } catch (e) {
    return summarize('error', times, firstMs, errorText(e))
  }
}
