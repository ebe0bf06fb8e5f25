/**
 * Loss functions and parameter penalties. Losses take (predictions, targets, opts) with
 * `reduction` 'mean' (default), 'sum' or 'none'; shapes must match exactly (no silent
 * broadcasting of a [N] target against [N, 1] predictions). Classification losses work from
 * logits and are computed through stable forms (softplus, logSoftmax), never log(sigmoid(x)).
 *
 * Derivatives at kinks: mae's is 0 where prediction = target (abs's sign(0)); hinge's is 0 at
 * margin exactly 1 (relu's convention); huber is C1 (its second derivative jumps at |d| = delta).
 */

import { PuregradError, fmtShape } from '../core/errors.js'
import type { Tensor } from '../core/tensor.js'
import { shapesEqual } from '../core/shape.js'
import { constant, scalarLike } from '../ops/convert.js'
import { abs, add, log, mul, neg, sub } from '../ops/elementwise.js'
import { equal, greater, greaterEqual, less, lessEqual, where } from '../ops/compare.js'
import { mean, sum } from '../ops/reduce.js'
import { oneHot } from '../ops/indexing.js'
import { logSoftmax, relu } from '../ops/nn.js'
import { treeLeaves } from '../diff/tree.js'
import { softplus } from './activations.js'

/** How a loss reduces its per-element (or per-example) terms: to their mean, their sum, or not at all. */
export type Reduction = 'mean' | 'sum' | 'none'

/** Options of the losses. */
export interface LossOptions {
  /** Default 'mean' (a scalar); 'none' returns the unreduced terms. */
  readonly reduction?: Reduction
}

const reduce = (op: string, x: Tensor, reduction: Reduction | undefined): Tensor => {
  switch (reduction ?? 'mean') {
    case 'mean': return mean(x)
    case 'sum': return sum(x)
    case 'none': return x
    default: throw new PuregradError('INVALID_ARGUMENT', `reduction must be 'mean', 'sum' or 'none', got ${String(reduction)}`, op)
  }
}

const checkFloat = (op: string, what: string, x: Tensor): void => {
  if (x.dtype !== 'float32' && x.dtype !== 'float64') throw new PuregradError('DTYPE_MISMATCH', `${what} must be float, got ${x.dtype}`, op)
}

/**
 * Checks integer labels against [0, classes) on the host, throwing INDEX_OUT_OF_RANGE, when their
 * backend reads synchronously; false when it cannot (WebGPU), where reading would stall the queue.
 */
const labelsChecked = (op: string, labels: Tensor, classes: number): boolean => {
  const backend = labels.concrete().backend
  if (backend === null || !backend.capabilities.syncRead) return false
  const values = labels.dataSync()
  for (let i = 0; i < values.length; i++) {
    if (values[i] < 0 || values[i] >= classes) throw new PuregradError('INDEX_OUT_OF_RANGE', `label ${values[i]} at flat index ${i} is outside [0, ${classes})`, op)
  }
  return true
}

const samePair = (op: string, pred: Tensor, target: Tensor): void => {
  checkFloat(op, 'predictions', pred)
  if (!shapesEqual(pred.shape, target.shape)) {
    throw new PuregradError('SHAPE_MISMATCH', `predictions ${fmtShape(pred.shape)} and targets ${fmtShape(target.shape)} must have the same shape`, op)
  }
  if (pred.dtype !== target.dtype) throw new PuregradError('DTYPE_MISMATCH', `predictions are ${pred.dtype} but targets are ${target.dtype}`, op)
}

/**
 * Mean squared error: (p - t)², reduced by `reduction` (a scalar by default). Predictions and
 * targets must have the same shape and float dtype.
 *
 * @throws PuregradError `SHAPE_MISMATCH` for different shapes, `DTYPE_MISMATCH` for non-float
 * predictions or different dtypes, `INVALID_ARGUMENT` for an unknown reduction.
 * @example
 * ```ts
 * import { tensor } from 'puregrad'
 * import { mse } from 'puregrad/layers'
 *
 * const loss = mse(tensor([1, 2, 3]), tensor([1, 2, 5]))   // (0 + 0 + 4) / 3
 * const each = mse(tensor([1, 2, 3]), tensor([1, 2, 5]), { reduction: 'none' })
 * if (Math.abs(loss.item() - 4 / 3) > 1e-6 || each.dataSync().join() !== '0,0,4') throw new Error(`got ${loss}`)
 * ```
 */
export const mse = (pred: Tensor, target: Tensor, opts: LossOptions = {}): Tensor => {
  samePair('mse', pred, target)
  const d = sub(pred, target)
  return reduce('mse', mul(d, d), opts.reduction)
}

/**
 * Mean absolute error: |p - t|, reduced by `reduction`. Shapes and dtypes as `mse`.
 *
 * @throws PuregradError as `mse`.
 * @example
 * ```ts
 * import { tensor } from 'puregrad'
 * import { mae } from 'puregrad/layers'
 *
 * const loss = mae(tensor([1, 2, 3]), tensor([2, 2, 5]), { reduction: 'sum' })
 * if (loss.item() !== 3) throw new Error(`got ${loss}`)
 * ```
 */
export const mae = (pred: Tensor, target: Tensor, opts: LossOptions = {}): Tensor => {
  samePair('mae', pred, target)
  return reduce('mae', abs(sub(pred, target)), opts.reduction)
}

/** Options of `huber`. */
export interface HuberOptions extends LossOptions {
  /** Where the loss turns from quadratic to linear: default 1. */
  readonly delta?: number
}

/**
 * Huber loss: d²/2 for |d| <= delta, delta (|d| - delta/2) beyond (d = p - t), reduced by
 * `reduction`; both branches are finite, so `where` is safe. Shapes and dtypes as `mse`.
 *
 * @throws PuregradError as `mse`, and `INVALID_ARGUMENT` for a delta that is not positive.
 * @example
 * ```ts
 * import { tensor } from 'puregrad'
 * import { huber } from 'puregrad/layers'
 *
 * const each = huber(tensor([0.5, 3]), tensor([0, 0]), { reduction: 'none' })   // 0.125, 3 - 0.5
 * if (each.dataSync().join() !== '0.125,2.5') throw new Error(`got ${each}`)
 * ```
 */
export const huber = (pred: Tensor, target: Tensor, opts: HuberOptions = {}): Tensor => {
  samePair('huber', pred, target)
  const delta = opts.delta ?? 1
  if (!(delta > 0)) throw new PuregradError('INVALID_ARGUMENT', `delta must be positive, got ${delta}`, 'huber')
  const d = sub(pred, target)
  const a = abs(d)
  const c = (v: number): Tensor => scalarLike(v, d)
  const quad = mul(c(0.5), mul(d, d))
  const lin = mul(c(delta), sub(a, c(delta / 2)))
  return reduce('huber', where(lessEqual(a, c(delta)), quad, lin), opts.reduction)
}

/**
 * Binary cross-entropy from logits x and targets t in [0, 1]: softplus(x) - x t, which equals
 * -t log σ(x) - (1 - t) log(1 - σ(x)) without computing σ (finite for any logit). Logits and
 * targets have the same shape and float dtype; reduced by `reduction`.
 *
 * @throws PuregradError as `mse`.
 * @example
 * ```ts
 * import { tensor } from 'puregrad'
 * import { binaryCrossEntropyWithLogits } from 'puregrad/layers'
 *
 * const loss = binaryCrossEntropyWithLogits(tensor([0, 1000]), tensor([1, 1]), { reduction: 'none' })
 * const [a, b] = loss.dataSync()
 * if (Math.abs(a - Math.LN2) > 1e-6 || b !== 0) throw new Error(`got ${a}, ${b}`)
 * ```
 */
export const binaryCrossEntropyWithLogits = (logits: Tensor, targets: Tensor, opts: LossOptions = {}): Tensor => {
  samePair('binaryCrossEntropyWithLogits', logits, targets)
  return reduce('binaryCrossEntropyWithLogits', sub(softplus(logits), mul(logits, targets)), opts.reduction)
}

/**
 * Softmax cross-entropy from logits [..., C]. Labels are either int32 class indices [...] or
 * float targets [..., C] (one-hot or any distribution): -Σ_c t_c logSoftmax(x)_c. The per-example
 * losses (shape [...]) are reduced by `reduction`.
 *
 * A logit of -Infinity masks its class: probability 0, and it adds exactly 0 to the loss and to
 * the gradient (first and second order) when it is not the label (or its target is 0). At the
 * label (or under a positive target) it makes the loss +Infinity, the true value.
 *
 * Integer labels are checked against [0, C) on the host where the backend reads synchronously
 * (js, wasm). WebGPU cannot read them without stalling, so there an out-of-range label is not an
 * error: its example's loss is NaN (and it adds nothing to the gradient).
 *
 * @throws PuregradError `SHAPE_MISMATCH` for scalar logits or labels of the wrong shape,
 * `INDEX_OUT_OF_RANGE` for an integer label outside [0, C) (backends with synchronous reads),
 * `DTYPE_MISMATCH` for non-float logits or float targets of another dtype, `INVALID_ARGUMENT` for
 * an unknown reduction.
 * @example
 * ```ts
 * import { tensor } from 'puregrad'
 * import { softmaxCrossEntropy } from 'puregrad/layers'
 *
 * const logits = tensor([[0, 0], [0, 0]])
 * const labels = tensor([0, 1], { dtype: 'int32' })
 * const loss = softmaxCrossEntropy(logits, labels)                  // -log(1/2) for each example
 * const same = softmaxCrossEntropy(logits, tensor([[1, 0], [0, 1]]))  // one-hot targets
 * if (Math.abs(loss.item() - Math.LN2) > 1e-6 || Math.abs(same.item() - loss.item()) > 1e-7) throw new Error(`got ${loss}`)
 * ```
 */
export const softmaxCrossEntropy = (logits: Tensor, labels: Tensor, opts: LossOptions = {}): Tensor => {
  const op = 'softmaxCrossEntropy'
  checkFloat(op, 'logits', logits)
  if (logits.rank === 0) throw new PuregradError('SHAPE_MISMATCH', 'logits need a class axis, got a scalar', op)
  const classes = logits.shape[logits.rank - 1]
  const intLabels = labels.dtype === 'int32'
  if (intLabels && !shapesEqual(labels.shape, logits.shape.slice(0, -1))) {
    throw new PuregradError('SHAPE_MISMATCH', `integer labels ${fmtShape(labels.shape)} must have the logits' shape without the class axis, ${fmtShape(logits.shape.slice(0, -1))}`, op)
  }
  if (!intLabels) samePair(op, logits, labels)
  const checked = !intLabels || labelsChecked(op, labels, classes)
  const ls = logSoftmax(logits, -1)
  const zero = scalarLike(0, ls)
  // A class with logit -Infinity has logSoftmax -Infinity: it is selected out (integer labels) or
  // skipped where its target is 0, never multiplied by 0 (0 * -Infinity would make the loss NaN).
  const product = intLabels ? null : mul(labels, ls)
  const terms = product === null
    ? where(oneHot(labels, classes, 'bool'), ls, zero)
    : where(equal(labels, zero), where(equal(ls, scalarLike(-Infinity, ls)), zero, product), product)
  const perExample = neg(sum(terms, { axis: -1 }))
  if (!checked) {
    // Unchecked (the backend reads asynchronously): an out-of-range label selects no class; NaN says so.
    const atLeast0 = greaterEqual(labels, 0)
    const inRange = where(atLeast0, less(labels, classes), atLeast0)
    return reduce(op, where(inRange, perExample, scalarLike(NaN, perExample)), opts.reduction)
  }
  return reduce(op, perExample, opts.reduction)
}

/**
 * KL(targets || predictions) over the last axis, from log-predictions and target probabilities
 * (optax's convention): Σ t (log t - log p). Terms with t = 0 contribute 0; log is taken of
 * where(t > 0, t, 1) so those terms have finite gradients too. Inputs [..., K] of one shape and
 * float dtype give per-example values [...], reduced by `reduction`.
 *
 * @throws PuregradError as `mse`, and `SHAPE_MISMATCH` for scalars.
 * @example
 * ```ts
 * import { tensor, log } from 'puregrad'
 * import { klDivergence } from 'puregrad/layers'
 *
 * const p = tensor([[0.5, 0.5]]), t = tensor([[1, 0]])
 * const kl = klDivergence(log(p), t)             // 1 (log 1 - log 0.5) + 0
 * if (Math.abs(kl.item() - Math.LN2) > 1e-6 || klDivergence(log(p), p).item() !== 0) throw new Error(`got ${kl}`)
 * ```
 */
export const klDivergence = (logPredictions: Tensor, targets: Tensor, opts: LossOptions = {}): Tensor => {
  const op = 'klDivergence'
  samePair(op, logPredictions, targets)
  if (logPredictions.rank === 0) throw new PuregradError('SHAPE_MISMATCH', 'needs a distribution axis, got a scalar', op)
  const zero = scalarLike(0, targets)
  const positive = greater(targets, zero)
  const logT = log(where(positive, targets, scalarLike(1, targets)))
  const terms = where(positive, mul(targets, sub(logT, logPredictions)), zero)
  return reduce(op, sum(terms, { axis: -1 }), opts.reduction)
}

/**
 * Hinge loss max(0, 1 - y s) for scores s and labels y in {-1, +1} (same shape and float dtype),
 * reduced by `reduction`.
 *
 * @throws PuregradError as `mse`.
 * @example
 * ```ts
 * import { tensor } from 'puregrad'
 * import { hinge } from 'puregrad/layers'
 *
 * const each = hinge(tensor([2, 0.5, -1]), tensor([1, 1, 1]), { reduction: 'none' })
 * if (each.dataSync().join() !== '0,0.5,2') throw new Error(`got ${each}`)
 * ```
 */
export const hinge = (scores: Tensor, labels: Tensor, opts: LossOptions = {}): Tensor => {
  samePair('hinge', scores, labels)
  return reduce('hinge', relu(sub(scalarLike(1, scores), mul(labels, scores))), opts.reduction)
}

const penalty = (op: string, params: unknown, term: (w: Tensor) => Tensor, coefficient: number): Tensor => {
  const leaves = treeLeaves<Tensor>(params).filter((w) => w.dtype === 'float32' || w.dtype === 'float64')
  if (leaves.length === 0) return constant(0, 'float32')
  const dtype = leaves[0].dtype
  const mixed = leaves.find((w) => w.dtype !== dtype)
  if (mixed !== undefined) throw new PuregradError('DTYPE_MISMATCH', `parameter leaves mix ${dtype} and ${mixed.dtype}; cast the record to one dtype`, op)
  const total = leaves.map((w) => sum(term(w))).reduce((a, b) => add(a, b))
  return coefficient === 1 ? total : mul(scalarLike(coefficient, total), total)
}

/**
 * L1 penalty: coefficient * Σ |w| over every float leaf of a parameter record (int and bool leaves
 * are skipped), a scalar of the leaves' dtype (float32 0 for a record without float leaves).
 *
 * @throws PuregradError `DTYPE_MISMATCH` when the float leaves mix float32 and float64.
 * @example
 * ```ts
 * import { tensor } from 'puregrad'
 * import { l1Penalty } from 'puregrad/layers'
 *
 * const params = { w: tensor([[1, -2]]), b: tensor([-3]) }
 * if (l1Penalty(params, 0.5).item() !== 3) throw new Error('0.5 (1 + 2 + 3)')
 * ```
 */
export const l1Penalty = (params: unknown, coefficient = 1): Tensor => penalty('l1Penalty', params, abs, coefficient)

/**
 * L2 penalty: coefficient * Σ w² over every float leaf of a parameter record (no factor 1/2);
 * leaves, dtype and result as `l1Penalty`.
 *
 * @throws PuregradError `DTYPE_MISMATCH` when the float leaves mix float32 and float64.
 * @example
 * ```ts
 * import { tensor } from 'puregrad'
 * import { l2Penalty } from 'puregrad/layers'
 *
 * const params = { w: tensor([[1, -2]]), b: tensor([3]) }
 * if (l2Penalty(params, 0.1).item() !== Math.fround(1.4)) throw new Error('0.1 (1 + 4 + 9)')
 * ```
 */
export const l2Penalty = (params: unknown, coefficient = 1): Tensor => penalty('l2Penalty', params, (w) => mul(w, w), coefficient)
