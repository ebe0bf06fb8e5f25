/**
 * The fully connected layer: y = x W + b over the last axis, any leading axes passing through
 * (so it applies per time step to [N, T, F] sequences as well as to [N, F] batches).
 */

import type { Tensor } from '../core/tensor.js'
import { add } from '../ops/elementwise.js'
import { matmul } from '../ops/linalg.js'
import { split } from '../random/key.js'
import { glorotUniform, zeros, type Initializer } from './initializers.js'
import { EMPTY, checkInitKey, checkInputShape, checkPositiveInt, dtypeOf, expectFloat, expectLastDim, expectLeaves, type Empty, type Layer } from './layer.js'

/** Options of `dense`. */
export interface DenseOptions {
  /** Default true; with false the params hold no `b`. */
  readonly useBias?: boolean
  /** Default glorotUniform. */
  readonly kernelInit?: Initializer
  /** Default zeros. */
  readonly biasInit?: Initializer
}

/** A dense layer's parameters: kernel w [in, units] and bias b [units]. */
export interface DenseParams { readonly w: Tensor; readonly b: Tensor }
/** A dense layer's parameters with `useBias: false`: the kernel w [in, units] only. */
export interface DenseParamsNoBias { readonly w: Tensor }

/** The params type a dense layer built with options O has: `{ w, b }`, or `{ w }` with useBias: false. */
export type DenseParamsFor<O> = O extends { readonly useBias: false } ? DenseParamsNoBias : DenseParams

/**
 * A dense layer with `units` outputs: y = x w + b over the last axis of x. Params are w
 * [in, units] and b [units] (float32, or float64 with init's `dtype`); leading axes pass
 * through, so [N, in] maps to [N, units] and [N, T, in] to [N, T, units].
 *
 * @throws PuregradError `INVALID_ARGUMENT` when `units` is not a positive integer; from apply,
 * `SHAPE_MISMATCH` when x's last axis is not `in` or w is not [in, units] (b not [units]),
 * `TREE_MISMATCH` for a missing or extra key, and `DTYPE_MISMATCH` for a non-float x.
 * @example
 * ```ts
 * import { ones } from 'puregrad'
 * import { dense, key } from 'puregrad/layers'
 *
 * const layer = dense(3)
 * const { params, state, outputShape } = layer.init(key(0), [4])   // w [4,3], b [3]
 * const [y] = layer.apply(params, state, ones([2, 4]))
 * if (y.shape.join() !== '2,3' || outputShape.join() !== '3') throw new Error(`got ${y.shape}`)
 * ```
 */
export const dense = <const O extends DenseOptions = {}>(units: number, opts?: O): Layer<DenseParamsFor<O>, Empty> => {
  const name = 'dense'
  checkPositiveInt(name, 'units', units)
  const useBias = opts?.useBias ?? true
  const kernelInit = opts?.kernelInit ?? glorotUniform
  const biasInit = opts?.biasInit ?? zeros
  return {
    name,
    init: (key, inputShape, initOpts) => {
      checkInitKey(name, key)
      const s = checkInputShape(name, inputShape, 1, 'of rank >= 1, e.g. [features]')
      const dtype = dtypeOf(name, initOpts)
      const [kw, kb] = split(key, 2)
      const w = kernelInit(kw, [s[s.length - 1], units], dtype)
      const params = useBias ? { w, b: biasInit(kb, [units], dtype) } : { w }
      return { params: params as DenseParamsFor<O>, state: EMPTY, outputShape: [...s.slice(0, -1), units] }
    },
    apply: (params, state, x) => {
      expectFloat(name, x)
      expectLeaves(name, 'params', params, { w: [null, units], b: useBias ? [units] : undefined }, x)
      const p = params as Partial<DenseParams>
      expectLastDim(name, x, (p.w as Tensor).shape[0])
      const y = matmul(x, p.w as Tensor)
      return [p.b === undefined ? y : add(y, p.b), state]
    },
  }
}
