/**
 * Shared pieces of the optimizer tests: a nested parameter-record template and its arbitraries
 * (through the law kit's arbLike), values of records and states as plain data for deep
 * comparison, deep freezing (to prove that nothing is mutated), and the pool of transformations
 * the laws quantify over.
 */

import fc from 'fast-check'
import { Tensor, tensor, zeros } from '../../src/index.js'
import { arbLike } from '../../laws/index.js'
import {
  adagrad, adam, adamax, adamw, addDecayedWeights, chain, clipByGlobalNorm, clipByValue, identity, lion, masked, multiSteps,
  proximalL1, rmsprop, scale, setToZero, sgd, skipNonFinite, trace, type GradientTransformation, type Hyper,
} from '../../src/optim/index.js'

/** A record with nesting, an array, a scalar and a matrix. */
export interface Rec {
  readonly dense: { readonly w: Tensor; readonly b: Tensor }
  readonly layers: readonly [{ readonly s: Tensor }, { readonly v: Tensor }]
}

const f64 = (shape: number[]): Tensor => zeros(shape, { dtype: 'float64' })

export const TEMPLATE: Rec = {
  dense: { w: f64([2, 3]), b: f64([3]) },
  layers: [{ s: f64([]) }, { v: f64([4]) }],
}

export const arbRec = (min = -2, max = 2): fc.Arbitrary<Rec> => arbLike<Rec>(TEMPLATE, { min, max })

export const recOf = (values: number[]): Rec => {
  let k = 0
  const take = (n: number, shape: number[]): Tensor => tensor(values.slice(k, (k += n)), { shape, dtype: 'float64' })
  return { dense: { w: take(6, [2, 3]), b: take(3, [3]) }, layers: [{ s: take(1, []) }, { v: take(4, [4]) }] }
}

/** Tensors as { shape, dtype, values }, everything else as is: for deep equality. */
export const toPlain = (x: unknown): unknown => {
  if (x instanceof Tensor) return { shape: [...x.shape], dtype: x.dtype, values: Array.from(x.dataSync()) }
  if (Array.isArray(x)) return x.map(toPlain)
  if (typeof x === 'object' && x !== null) return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, toPlain(v)]))
  return x
}

/** Freezes every plain object and array reachable from x (tensors are immutable already). */
export const deepFreeze = <T>(x: T): T => {
  if (typeof x === 'object' && x !== null && !(x instanceof Tensor)) {
    for (const v of Object.values(x)) deepFreeze(v)
    Object.freeze(x)
  }
  return x
}

/** Every leaf value of a record, in treeFlatten order (sorted keys). */
export const valuesOf = (r: Rec): number[] => [
  ...Array.from(r.dense.b.dataSync()), ...Array.from(r.dense.w.dataSync()),
  ...Array.from(r.layers[0].s.dataSync()), ...Array.from(r.layers[1].v.dataSync()),
]

export type AnyRecTransform = GradientTransformation<Rec, unknown>

/** Every optimizer, by name, as a function of its learning rate. */
export const OPTIMIZERS: Readonly<Record<string, (lr: Hyper) => AnyRecTransform>> = {
  sgd: (lr) => sgd(lr),
  'sgd momentum': (lr) => sgd(lr, { momentum: 0.9 }),
  'sgd nesterov': (lr) => sgd(lr, { momentum: 0.9, nesterov: true }),
  adam: (lr) => adam(lr),
  adamw: (lr) => adamw(lr, { weightDecay: 0.1 }),
  adamax: (lr) => adamax(lr),
  adagrad: (lr) => adagrad(lr),
  rmsprop: (lr) => rmsprop(lr),
  'rmsprop centered': (lr) => rmsprop(lr, { centered: true }),
  lion: (lr) => lion(lr),
}

/** Transformations of every kind, for the laws over compositions and purity. */
export const TRANSFORMS: Readonly<Record<string, () => AnyRecTransform>> = {
  identity: () => identity(),
  setToZero: () => setToZero(),
  'scale 0.5': () => scale(0.5),
  'clipByValue 0.3': () => clipByValue(0.3),
  'clipByGlobalNorm 1': () => clipByGlobalNorm(1),
  'addDecayedWeights 0.1': () => addDecayedWeights(0.1),
  'trace 0.9': () => trace(0.9),
  'proximalL1 0.1': () => proximalL1(0.1, 0.5),
  'masked adam': () => masked(adam(0.1), (path) => path.includes('dense')),
  'skipNonFinite sgd': () => skipNonFinite(sgd(0.1)),
  'multiSteps 2 adam': () => multiSteps(adam(0.1), 2),
  'chain clip adam': () => chain(clipByGlobalNorm(1), adam<Rec>(0.1)),
  ...Object.fromEntries(Object.entries(OPTIMIZERS).map(([k, f]) => [k, () => f(0.1)])),
}

export const arbTransformName = fc.constantFrom(...Object.keys(TRANSFORMS))
