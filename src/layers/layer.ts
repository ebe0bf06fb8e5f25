/**
 * What a layer is: a pair of pure functions. `init(key, inputShape)` makes the parameters, the
 * state and the output shape; `apply(params, state, x, ctx)` maps a batch to an output and a new
 * state. Randomness arrives as a key in `ctx`, the mode as `ctx.training`, and state that changes
 * (batch-norm statistics) is returned, never mutated.
 *
 * Convention: `inputShape` and `outputShape` describe ONE example and exclude the batch axis,
 * which is axis 0 of `x` in `apply`: `dense(10).init(key, [784])` accepts x of shape [N, 784].
 */

import { PuregradError, fmtShape } from '../core/errors.js'
import { Tensor } from '../core/tensor.js'
import { allocTyped } from '../core/dtype.js'
import { fromTyped } from '../core/constructors.js'
import type { Backend } from '../backends/backend.js'
import type { Key } from '../random/key.js'
import { checkKey } from '../random/key.js'
import type { FloatDType } from '../random/distributions.js'

/** The params or state of a layer that has none. */
export type Empty = Record<string, never>

/** Options of `Layer.init`. */
export interface InitOptions {
  /** The dtype of parameters and state: float32 by default. */
  readonly dtype?: FloatDType
}

/** The third argument of `Layer.apply`: the mode and, for layers that draw randomness, a key. */
export interface ApplyContext {
  /** Training mode (dropout active, batch-norm on batch statistics): default false. */
  readonly training?: boolean
  /** Randomness for layers that need it (dropout in training). */
  readonly key?: Key
}

/** What `Layer.init` returns: the parameters, the initial state and the shape of one output. */
export interface Initialized<P, S> {
  readonly params: P
  readonly state: S
  /** The shape of one output example (no batch axis). */
  readonly outputShape: number[]
}

/**
 * A layer with parameters P and state S: a pair of pure functions, nothing held inside. The
 * parameter record P is what `grad` differentiates; the state S (batch-norm statistics) is
 * threaded through `apply` and returned updated, never mutated.
 */
export interface Layer<P = Empty, S = Empty> {
  /** Used in error messages: `dense: expected input with last dim 64, got [32,10]`. */
  readonly name: string
  /**
   * The parameters (drawn from `key`), the initial state and the output shape for one example of
   * shape `inputShape` (no batch axis). Parameters are float32 unless `opts.dtype` is float64.
   * Throws PuregradError `INVALID_ARGUMENT` for a malformed shape or a key that is not a Key,
   * `SHAPE_MISMATCH` for a shape the layer cannot take, `UNSUPPORTED_DTYPE` for another dtype.
   */
  init(key: Key, inputShape: readonly number[], opts?: InitOptions): Initialized<P, S>
  /**
   * The output for a batch `x` (axis 0 the batch) and the next state. Throws PuregradError
   * `SHAPE_MISMATCH` or `DTYPE_MISMATCH` for an input the parameters do not fit, and, before any
   * op runs, `SHAPE_MISMATCH` or `TREE_MISMATCH` naming the leaf for parameters or state that do
   * not fit the layer (another model's, a leaf of another shape, a missing or extra key:
   * `params.w: expected shape [64,32], got [64,16]`); errors from layers nested in combinators
   * name their path (`sequential[2]/dense: ...`).
   */
  apply(params: P, state: S, x: Tensor, ctx?: ApplyContext): [Tensor, S]
}

/** Any layer, whatever its parameter and state types: the element type of combinator arguments. */
export type AnyLayer = Layer<unknown, unknown>
/** The parameter record type of a layer: `ParamsOf<typeof model>`. */
export type ParamsOf<L> = L extends Layer<infer P, unknown> ? P : never
/** The state type of a layer: `StateOf<typeof model>`. */
export type StateOf<L> = L extends Layer<unknown, infer S> ? S : never

export const EMPTY: Empty = Object.freeze({}) as Empty

export const shapeError = (layer: string, message: string): never => {
  throw new PuregradError('SHAPE_MISMATCH', message, layer)
}

export const argError = (layer: string, message: string): never => {
  throw new PuregradError('INVALID_ARGUMENT', message, layer)
}

/** Validates an `inputShape` given to init (non-negative integers, at least `minRank` of them). */
export const checkInputShape = (layer: string, shape: readonly number[], minRank: number, what: string): number[] => {
  if (!Array.isArray(shape) || shape.some((d) => !Number.isInteger(d) || d < 0)) {
    argError(layer, `inputShape must be an array of non-negative integers (without the batch axis), got ${String(shape)}`)
  }
  if (shape.length < minRank) shapeError(layer, `expected inputShape ${what} (without the batch axis), got ${fmtShape(shape)}`)
  return [...shape]
}

export const checkInitKey = (layer: string, key: unknown): Key => checkKey(`${layer}.init`, key)

export const dtypeOf = (layer: string, opts: InitOptions | undefined): FloatDType => {
  const d = opts?.dtype ?? 'float32'
  if (d !== 'float32' && d !== 'float64') throw new PuregradError('UNSUPPORTED_DTYPE', `parameters are float32 or float64, got ${String(d)}`, layer)
  return d
}

export const checkPositiveInt = (layer: string, what: string, v: unknown): number => {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) argError(layer, `${what} must be a positive integer, got ${String(v)}`)
  return v as number
}

/** Throws unless x has the given rank (counting the batch axis). */
export const expectRank = (layer: string, x: Tensor, rank: number, what: string): void => {
  if (x.rank !== rank) shapeError(layer, `expected ${what}, got ${fmtShape(x.shape)}`)
}

export const expectLastDim = (layer: string, x: Tensor, n: number): void => {
  if (x.rank < 2 || x.shape[x.rank - 1] !== n) shapeError(layer, `expected input with last dim ${n}, got ${fmtShape(x.shape)}`)
}

/** Each key's expected shape (null: any size on that axis), or undefined for a key that must be absent. */
export type LeafSpec = Readonly<Record<string, readonly (number | null)[] | undefined>>

/**
 * Checks a layer's parameter (or state) record before any op runs: exactly the keys of `spec`
 * (a key whose shape is undefined must be absent, as a bias with useBias false), each a tensor of
 * the given shape, where null stands for any size on that axis (one the layer checks against its
 * input instead; `?` in messages where the rank differs), and, given the `input`, its dtype.
 * Errors name the leaf: `dense: params.w: expected shape [64,32], got [64,16]`; without this,
 * another model's parameters would broadcast silently or fail deep inside an op.
 */
export const expectLeaves = (layer: string, where: 'params' | 'state', record: unknown, spec: LeafSpec, input?: Tensor): void => {
  if (record === null || typeof record !== 'object' || Array.isArray(record) || record instanceof Tensor) {
    throw new PuregradError('TREE_MISMATCH', `${where}: expected a record with keys ${Object.keys(spec).filter((k) => spec[k] !== undefined).join(', ')}, got ${Array.isArray(record) ? 'an array' : String(record)}`, layer)
  }
  const r = record as Record<string, unknown>
  for (const k of Object.keys(r)) {
    if (spec[k] === undefined) throw new PuregradError('TREE_MISMATCH', `${where}: unexpected key "${k}"`, layer)
  }
  for (const [k, want] of Object.entries(spec)) {
    if (want === undefined) continue
    const leaf = r[k]
    if (leaf === undefined) throw new PuregradError('TREE_MISMATCH', `${where}: missing key "${k}"`, layer)
    if (!(leaf instanceof Tensor)) throw new PuregradError('INVALID_ARGUMENT', `${where}.${k}: expected a tensor, got ${typeof leaf}`, layer)
    const ok = leaf.rank === want.length && want.every((d, i) => d === null || d === leaf.shape[i])
    if (!ok) {
      // A free axis shows the leaf's own size where the ranks agree (the mismatch is elsewhere).
      const shown = want.map((d, i) => d ?? (leaf.rank === want.length ? leaf.shape[i] : '?'))
      shapeError(layer, `${where}.${k}: expected shape [${shown.join(',')}], got ${fmtShape(leaf.shape)}`)
    }
    if (input !== undefined && leaf.dtype !== input.dtype) {
      throw new PuregradError('DTYPE_MISMATCH', `the input is ${input.dtype} but ${where}.${k} is ${leaf.dtype}: cast the input, or init the layer with { dtype: '${input.dtype}' }`, layer)
    }
  }
}

export const expectFloat = (layer: string, x: Tensor): void => {
  if (x.dtype !== 'float32' && x.dtype !== 'float64') throw new PuregradError('DTYPE_MISMATCH', `expected a float input, got ${x.dtype}`, layer)
}

/**
 * Runs a child layer's step, re-raising its PuregradErrors with the path to it prefixed, so an
 * error deep in a model says where: `sequential[2]/dense: expected input with last dim 64, ...`.
 */
export const within = <T>(path: string, run: () => T): T => {
  try {
    return run()
  } catch (e) {
    if (e instanceof PuregradError) throw new PuregradError(e.code, e.detail, e.op === undefined ? path : `${path}/${e.op}`)
    throw e
  }
}

/**
 * A tensor of host values with `like`'s dtype, on `like`'s backend: what a layer builds during
 * apply (masks, initial carries) must live where its input lives, not on the current backend.
 */
export const hostLike = (values: ArrayLike<number>, shape: readonly number[], like: Tensor): Tensor => {
  const a = allocTyped(like.dtype, values.length)
  a.set(values)
  return fromTyped(a, shape, like.dtype, like.concrete().backend as Backend)
}

/** Zeros of `shape` with `like`'s dtype, on `like`'s backend. */
export const zerosOn = (shape: readonly number[], like: Tensor): Tensor =>
  hostLike(new Float64Array(shape.reduce((a, b) => a * b, 1)), shape, like)

/** A layer without params or state from a shape-preserving-or-not function of the batch. */
export const stateless = (
  name: string,
  outputShape: (inputShape: readonly number[]) => number[],
  f: (x: Tensor, ctx: ApplyContext) => Tensor,
): Layer<Empty, Empty> => ({
  name,
  init: (key, inputShape) => {
    checkInitKey(name, key)
    return { params: EMPTY, state: EMPTY, outputShape: outputShape(checkInputShape(name, inputShape, 0, 'of any rank')) }
  },
  apply: (_params, state, x, ctx = {}) => [f(x, ctx), state],
})
