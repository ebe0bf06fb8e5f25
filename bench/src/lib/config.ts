/**
 * Sizes, repetitions and budgets of a run: the full run as the issue specifies it, and the smoke
 * run (tiny sizes, seconds) that CI uses so the harness cannot rot. Both go through exactly the
 * same code; only these numbers differ.
 */

import type { AdamConfig } from '../peers/peer.js'

export interface Reps { readonly warmup: number; readonly warmupMs: number; readonly minReps: number; readonly maxReps: number; readonly targetMs: number }

export interface Config {
  readonly smoke: boolean
  readonly seed: number
  /** Time budget of one table cell (one library, one row of one workload). */
  readonly budgetMs: number
  /** W5 budget of the peers; puregrad runs W5 at full length regardless. */
  readonly w5BudgetMs: number
  /** W6 budget (one epoch is one cell). */
  readonly w6BudgetMs: number
  readonly reps: Reps
  readonly adam: AdamConfig
  readonly w1: { readonly sizes: readonly number[] }
  readonly w2: { readonly layers: readonly number[]; readonly batch: number; readonly checkSteps: number; readonly tol: number }
  readonly w3: { readonly links: number; readonly elements: number }
  readonly w4: { readonly input: readonly [number, number, number, number]; readonly c1: number; readonly c2: number; readonly lr: number }
  readonly w5: { readonly steps: number; readonly samples: number }
  readonly w6: {
    readonly dataDir: string; readonly layers: readonly number[]; readonly batch: number
    readonly trainLimit: number; readonly testLimit: number; readonly evalBatch: number
  }
}

const adam: AdamConfig = { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8 }

export const fullConfig = (dataDir: string): Config => ({
  smoke: false,
  seed: 20240611,
  budgetMs: 30_000,
  w5BudgetMs: 30_000,
  w6BudgetMs: 150_000,
  reps: { warmup: 2, warmupMs: 1000, minReps: 10, maxReps: 50, targetMs: 1000 },
  adam,
  w1: { sizes: [128, 512, 1024] },
  w2: { layers: [784, 512, 256, 10], batch: 128, checkSteps: 20, tol: 1e-4 },
  w3: { links: 1000, elements: 16 },
  w4: { input: [32, 28, 28, 1], c1: 16, c2: 32, lr: 0.01 },
  w5: { steps: 10_000, samples: 100 },
  w6: { dataDir, layers: [784, 512, 256, 10], batch: 128, trainLimit: 60_000, testLimit: 10_000, evalBatch: 1000 },
})

export const smokeConfig = (dataDir: string): Config => ({
  smoke: true,
  seed: 20240611,
  budgetMs: 15_000,
  w5BudgetMs: 15_000,
  w6BudgetMs: 15_000,
  reps: { warmup: 1, warmupMs: 0, minReps: 10, maxReps: 10, targetMs: 0 },
  adam,
  w1: { sizes: [16, 32] },
  w2: { layers: [64, 32, 16, 10], batch: 16, checkSteps: 20, tol: 1e-4 },
  w3: { links: 20, elements: 16 },
  w4: { input: [2, 8, 8, 1], c1: 4, c2: 8, lr: 0.01 },
  w5: { steps: 40, samples: 4 },
  w6: { dataDir, layers: [784, 32, 10], batch: 128, trainLimit: 512, testLimit: 500, evalBatch: 250 },
})
