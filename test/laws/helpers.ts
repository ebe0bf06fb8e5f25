/**
 * Shared pieces of the law suite: how many runs and which seed (PUREGRAD_LAW_RUNS and
 * PUREGRAD_LAW_SEED override the defaults below), inputs kept away from ties (distinct values for
 * max and pooling, disjoint value cells for maximum/minimum), and the scalar projection <f(p), w>
 * that turns a vector-valued law case into a scalar one for the second-order laws.
 */

import fc from 'fast-check'
import { tensor, mul, sum, treeLeaves, type Tensor } from '../../src/index.js'
import { arbElement, lawRuns, makeRng, randomLike } from '../../laws/index.js'

/** Points per property in the suite (kept small so `vitest run test/laws` stays near a minute on 2 cores). */
export const RUNS = { grads: lawRuns(40), second: lawRuns(12), mutation: lawRuns(30) }

const sizeOf = (shape: readonly number[]): number => shape.reduce((p, d) => p * d, 1)

/**
 * float64 tensors whose values are pairwise at least `spacing * 3/4` apart (a shuffled lattice plus
 * small noise), so max, min, maxPool and std see no ties anywhere near a finite-difference step.
 */
export const arbDistinct = (shape: readonly number[], spacing = 0.4): fc.Arbitrary<Tensor> => {
  const n = sizeOf(shape)
  const cells = Array.from({ length: n }, (_, i) => i)
  return fc.tuple(
    fc.shuffledSubarray(cells, { minLength: n, maxLength: n }),
    fc.array(arbElement({ min: 0, max: spacing / 4 }), { minLength: n, maxLength: n }),
  ).map(([perm, noise]) => tensor(Float64Array.from(perm, (k, i) => (k - n / 2) * spacing + noise[i]), { shape: [...shape], dtype: 'float64' }))
}

/**
 * float64 tensors with values in cells (2k + parity) * 0.4 + [0, 0.1], k in [-3, 2]: tensors drawn
 * with different parities never come within 0.3 of each other (no ties for maximum / minimum).
 */
export const arbCells = (shape: readonly number[], parity: 0 | 1): fc.Arbitrary<Tensor> => {
  const n = sizeOf(shape)
  return fc.tuple(
    fc.array(fc.integer({ min: -3, max: 2 }), { minLength: n, maxLength: n }),
    fc.array(arbElement({ min: 0, max: 0.1 }), { minLength: n, maxLength: n }),
  ).map(([ks, noise]) => tensor(Float64Array.from(ks, (k, i) => (2 * k + parity) * 0.4 + noise[i]), { shape: [...shape], dtype: 'float64' }))
}

/** s(p) = sum over the float leaves of <f(p), w>, w a fixed standard normal record shaped like f's output. */
export const project = <P>(f: (p: P) => unknown, seed: number) => (p: P): Tensor => {
  const y = f(p)
  const w = treeLeaves<Tensor>(randomLike(y, makeRng(seed)))
  const terms = treeLeaves<Tensor>(y).map((l, i) => sum(mul(l, w[i])))
  return terms.reduce((a, b) => a.add(b))
}

/** Total element count of the float leaves of a record (to keep full Hessians small). */
export const leafSize = (p: unknown): number => treeLeaves<Tensor>(p).reduce((s, l) => s + l.size, 0)
