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
import { abs, add, greater, lessEqual, log, mul, neg, sub, where } from '../ops/elementwise.js'
import { mean, sum } from '../ops/reduce.js'
import { oneHot } from '../ops/indexing.js'
import { logSoftmax, relu } from '../ops/nn.js'
import { treeLeaves } from '../diff/tree.js'
import { softplus } from './activations.js'

export type Reduction = 'mean' | 'sum' | 'none'

export interface LossOptions { readonly reduction?: Reduction }

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

const samePair = (op: string, pred: Tensor, target: Tensor): void => {
  checkFloat(op, 'predictions', pred)
  if (!shapesEqual(pred.shape, target.shape)) {
    throw new PuregradError('SHAPE_MISMATCH', `predictions ${fmtShape(pred.shape)} and targets ${fmtShape(target.shape)} must have the same shape`, op)
  }
  if (pred.dtype !== target.dtype) throw new PuregradError('DTYPE_MISMATCH', `predictions are ${pred.dtype} but targets are ${target.dtype}`, op)
}

/** Mean squared error: (p - t)². */
export const mse = (pred: Tensor, target: Tensor, opts: LossOptions = {}): Tensor => {
  samePair('mse', pred, target)
  const d = sub(pred, target)
  return reduce('mse', mul(d, d), opts.reduction)
}

/** Mean absolute error: |p - t|. */
export const mae = (pred: Tensor, target: Tensor, opts: LossOptions = {}): Tensor => {
  samePair('mae', pred, target)
  return reduce('mae', abs(sub(pred, target)), opts.reduction)
}

export interface HuberOptions extends LossOptions { readonly delta?: number }

/** d²/2 for |d| <= delta, delta (|d| - delta/2) beyond (d = p - t); both branches are finite, so `where` is safe. */
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
 * -t log σ(x) - (1 - t) log(1 - σ(x)) without computing σ (finite for any logit).
 */
export const binaryCrossEntropyWithLogits = (logits: Tensor, targets: Tensor, opts: LossOptions = {}): Tensor => {
  samePair('binaryCrossEntropyWithLogits', logits, targets)
  return reduce('binaryCrossEntropyWithLogits', sub(softplus(logits), mul(logits, targets)), opts.reduction)
}

/**
 * Softmax cross-entropy from logits [..., C]. Labels are either int32 class indices [...] or
 * float targets [..., C] (one-hot or any distribution): -Σ_c t_c logSoftmax(x)_c. The per-example
 * losses (shape [...]) are reduced by `reduction`.
 */
export const softmaxCrossEntropy = (logits: Tensor, labels: Tensor, opts: LossOptions = {}): Tensor => {
  const op = 'softmaxCrossEntropy'
  checkFloat(op, 'logits', logits)
  if (logits.rank === 0) throw new PuregradError('SHAPE_MISMATCH', 'logits need a class axis, got a scalar', op)
  const classes = logits.shape[logits.rank - 1]
  let targets: Tensor
  if (labels.dtype === 'int32') {
    if (!shapesEqual(labels.shape, logits.shape.slice(0, -1))) {
      throw new PuregradError('SHAPE_MISMATCH', `integer labels ${fmtShape(labels.shape)} must have the logits' shape without the class axis, ${fmtShape(logits.shape.slice(0, -1))}`, op)
    }
    const values = labels.dataSync()
    for (let i = 0; i < values.length; i++) {
      if (values[i] < 0 || values[i] >= classes) throw new PuregradError('INDEX_OUT_OF_RANGE', `label ${values[i]} at flat index ${i} is outside [0, ${classes})`, op)
    }
    targets = oneHot(labels, classes, logits.dtype)
  } else {
    samePair(op, logits, labels)
    targets = labels
  }
  const perExample = neg(sum(mul(targets, logSoftmax(logits, -1)), { axis: -1 }))
  return reduce(op, perExample, opts.reduction)
}

/**
 * KL(targets || predictions) over the last axis, from log-predictions and target probabilities
 * (optax's convention): Σ t (log t - log p). Terms with t = 0 contribute 0; log is taken of
 * where(t > 0, t, 1) so those terms have finite gradients too.
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

/** Hinge loss max(0, 1 - y s) for scores s and labels y in {-1, +1}. */
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

/** coefficient * Σ |w| over every float leaf of a parameter record. */
export const l1Penalty = (params: unknown, coefficient = 1): Tensor => penalty('l1Penalty', params, abs, coefficient)

/** coefficient * Σ w² over every float leaf of a parameter record (no factor 1/2). */
export const l2Penalty = (params: unknown, coefficient = 1): Tensor => penalty('l2Penalty', params, (w) => mul(w, w), coefficient)
