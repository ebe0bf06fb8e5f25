/**
 * What a workload is: for one peer, in one child process, it measures its cases and emits one
 * row per (case, mode). Rows are the JSON lines of the results file; the report picks, per case
 * and peer, the best mode. Host-side model initialisation shared by W2, W4, W5 and W6 is here too.
 */

import type { Config } from '../lib/config.js'
import type { Status, Timing } from '../lib/measure.js'
import { glorot, mulberry32, zerosHost } from '../lib/rng.js'
import type { CnnInit, MlpInit, Peer } from '../peers/peer.js'

export interface Row {
  readonly workload: string
  readonly case: string
  readonly peer: string
  readonly mode: string
  readonly status: Status
  /** The headline figure of the cell (median), in `unit`; lower is better unless said otherwise. */
  readonly value: number
  readonly unit: string
  readonly min: number
  readonly reps: number
  readonly extra: Record<string, unknown>
  readonly note?: string
  readonly error?: string
}

export interface CellContext {
  readonly config: Config
  readonly peer: Peer
  readonly isPuregrad: boolean
  /**
   * 0, or 1 when the parent reruns the cell in a fresh process because a row of attempt 0 asked
   * for it (`extra.retry`): a library that failed may be left unusable in its own process.
   */
  readonly attempt: number
  emit(row: Row): void
  /** A partial row, kept by the parent in case the child has to be stopped. */
  progress(row: Row): void
}

export interface Workload {
  readonly id: string
  /** Table heading, with the sizes of this run. */
  title(c: Config): string
  /** Case labels, in table order. */
  cases(c: Config): string[]
  /**
   * 'each': every mode is measured, each in its own process (a crash or a slow compile in one
   * mode cannot take the other's figure); 'first': one process that keeps the first mode that trains.
   */
  readonly modes: 'each' | 'first'
  /** Budget of one cell of this workload (ms); the child is stopped at cases x budget (x modes) + grace. */
  budgetMs(c: Config, isPuregrad: boolean): number
  run(ctx: CellContext): Promise<void>
}

/** A row from a timing, with the time scaled into the workload's unit. */
export const timingRow = (
  base: { workload: string; case: string; peer: string; mode: string; unit: string },
  t: Timing, scale: number, extra: Record<string, unknown> = {}, note?: string,
): Row => ({
  ...base,
  status: t.status,
  value: t.median * scale,
  min: t.min * scale,
  reps: t.reps,
  extra: { first_ms: t.firstMs, ...extra },
  ...(note ? { note } : {}),
  ...(t.error ? { error: t.error } : {}),
})

export const mlpInit = (seed: number, layers: readonly number[]): MlpInit => {
  const rand = mulberry32(seed)
  return {
    layers: layers.slice(1).map((out, i) => ({ w: glorot(rand, [layers[i], out], layers[i], out), b: zerosHost([out]) })),
  }
}

export const cnnInit = (seed: number, c: Config['w4']): CnnInit => {
  const rand = mulberry32(seed)
  const ci = c.input[3]
  return {
    k1: glorot(rand, [3, 3, ci, c.c1], 9 * ci, 9 * c.c1), c1: zerosHost([c.c1]),
    k2: glorot(rand, [3, 3, c.c1, c.c2], 9 * c.c1, 9 * c.c2), c2: zerosHost([c.c2]),
    w: glorot(rand, [c.c2, 10], c.c2, 10), b: zerosHost([10]),
  }
}
