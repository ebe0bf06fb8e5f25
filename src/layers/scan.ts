/**
 * scan(f, init, xs): a loop over the leading (time) axis of xs carrying a value along, JAX's
 * lax.scan. It is written as an ordinary loop over slices with puregrad ops and the per-step
 * outputs are stacked at the end, so it is differentiable in both modes and to any order because
 * those ops are: the tape simply records every step. Carries, inputs and outputs may be records.
 *
 * Cost: each step slices its input, and a slice's gradient pads back to the full length, so the
 * backward pass moves O(T²) elements for T steps; meant for the short sequences of a JS backend.
 */

import { PuregradError, fmtShape } from '../core/errors.js'
import { Tensor } from '../core/tensor.js'
import { reshape, split, stack } from '../ops/movement.js'
import { treeDefEquals, treeDefToString, treeFlatten, treeUnflatten, type TreeDef } from '../diff/tree.js'

/** Options of `scan`. */
export interface ScanOptions {
  /** Run from the last step to the first; outputs still line up with xs (ys[t] is from xs[t]). */
  readonly reverse?: boolean
  /** The number of steps when xs is null or undefined (no per-step inputs). */
  readonly length?: number
}

const fail = (code: 'SHAPE_MISMATCH' | 'INVALID_ARGUMENT' | 'TREE_MISMATCH', msg: string): never => {
  throw new PuregradError(code, msg, 'scan')
}

/** The per-step slices of every leaf of xs: slices[t][leaf]. */
const sliceSteps = (xs: unknown, length: number | undefined): [Tensor[][], TreeDef, number] => {
  const [leaves, def] = treeFlatten<Tensor>(xs, 'xs')
  let steps = length
  for (const [i, leaf] of leaves.entries()) {
    if (!(leaf instanceof Tensor)) fail('INVALID_ARGUMENT', `xs leaf ${i} is not a tensor`)
    if (leaf.rank === 0) fail('SHAPE_MISMATCH', `xs leaves need a leading time axis, leaf ${i} is a scalar`)
    if (steps === undefined) steps = leaf.shape[0]
    else if (leaf.shape[0] !== steps) {
      fail('SHAPE_MISMATCH', `every xs leaf needs ${steps} steps on axis 0${length === undefined ? ' (from the first leaf)' : ' (from opts.length)'}, leaf ${i} has shape ${fmtShape(leaf.shape)}`)
    }
  }
  if (steps === undefined) return fail('INVALID_ARGUMENT', 'xs has no tensors: give opts.length for the number of steps')
  if (!Number.isInteger(steps) || steps < 1) fail('INVALID_ARGUMENT', `scan needs at least one step, got ${steps}`)
  const parts = leaves.map((leaf) => split(leaf, steps as number, 0).map((p) => reshape(p, leaf.shape.slice(1))))
  const slices = Array.from({ length: steps }, (_, t) => parts.map((p) => p[t]))
  return [slices, def, steps]
}

/**
 * Runs `carry, y = f(carry, x_t)` for t over axis 0 of xs and returns the final carry and the ys
 * stacked on a new leading axis (a record of ys gives a record of stacked tensors). Every leaf of
 * xs needs the same length T on axis 0; x_t is a leaf's slice without that axis. Differentiable
 * in both modes.
 *
 * @throws PuregradError `SHAPE_MISMATCH` for xs leaves of different lengths (or scalars) or a y
 * that changes shape between steps; `TREE_MISMATCH` when f returns a carry not shaped like `init`
 * or ys of changing structure; `INVALID_ARGUMENT` for no steps or f not returning a pair.
 * @example
 * ```ts
 * import { tensor, add, type Tensor } from 'puregrad'
 * import { scan } from 'puregrad/layers'
 *
 * // A running sum: the carry is the total so far, y_t the total after step t.
 * const [total, partial] = scan((c: Tensor, x: Tensor) => {
 *   const next = add(c, x)
 *   return [next, next] as const
 * }, tensor(0), tensor([1, 2, 3, 4]))
 * if (total.item() !== 10 || partial.dataSync().join() !== '1,3,6,10') throw new Error(`got ${partial}`)
 * ```
 */
export const scan = <C, X, Y>(
  f: (carry: C, x: X) => readonly [C, Y], init: C, xs: X, opts: ScanOptions = {},
): [C, Y] => {
  const [slices, xsDef, steps] = sliceSteps(xs, opts.length)
  const order = Array.from({ length: steps }, (_, t) => (opts.reverse === true ? steps - 1 - t : t))
  const carryDef = treeFlatten(init, 'carry')[1]
  let carry = init
  let yDef: TreeDef | undefined
  const ys: Tensor[][] = new Array(steps)
  for (const t of order) {
    const out = f(carry, treeUnflatten<X>(xsDef, slices[t]))
    if (!Array.isArray(out) || out.length !== 2) fail('INVALID_ARGUMENT', `f must return [carry, y], got ${typeof out}`)
    const [next, y] = out
    const nextDef = treeFlatten(next, 'carry')[1]
    if (!treeDefEquals(nextDef, carryDef)) {
      fail('TREE_MISMATCH', `step ${t}: f returned a carry of structure ${treeDefToString(nextDef)}, expected ${treeDefToString(carryDef)} like init`)
    }
    const [leaves, def] = treeFlatten<Tensor>(y, 'y')
    if (yDef === undefined) yDef = def
    else if (!treeDefEquals(def, yDef)) fail('TREE_MISMATCH', `step ${t}: f returned y of structure ${treeDefToString(def)}, earlier steps ${treeDefToString(yDef)}`)
    ys[t] = leaves
    carry = next
  }
  const stacked = (ys[0] ?? []).map((_, i) => {
    const column = ys.map((step) => step[i])
    const s0 = column[0].shape
    const bad = column.find((v) => v.shape.length !== s0.length || v.shape.some((d, k) => d !== s0[k]))
    if (bad !== undefined) fail('SHAPE_MISMATCH', `y leaf ${i} changes shape across steps: ${fmtShape(s0)} and ${fmtShape(bad.shape)}`)
    return stack(column, 0)
  })
  return [carry, treeUnflatten<Y>(yDef as TreeDef, stacked)]
}
