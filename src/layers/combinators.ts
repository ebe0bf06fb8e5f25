/**
 * Building models from layers: `sequential` (a chain whose params are a typed tuple), `named` (a
 * chain whose params are a typed record keyed by name), `residual` (x + f(x)) and `activation`
 * (a parameter-free layer from any Tensor => Tensor function). Each child gets its own key: split
 * from the init key, folded in by position from the apply key, so two dropouts never share a mask.
 */

import { fmtShape } from '../core/errors.js'
import { shapesEqual } from '../core/shape.js'
import type { Tensor } from '../core/tensor.js'
import { add } from '../ops/elementwise.js'
import { foldIn, split } from '../random/key.js'
import {
  argError, checkInitKey, checkInputShape, shapeError, stateless, within,
  type AnyLayer, type ApplyContext, type Empty, type Layer, type ParamsOf, type StateOf,
} from './layer.js'

const childCtx = (ctx: ApplyContext, i: number): ApplyContext =>
  ctx.key === undefined ? ctx : { ...ctx, key: foldIn(ctx.key, i) }

/** The params of `sequential(...layers)`: a tuple of each layer's params, in order. */
export type SequentialParams<Ls extends readonly AnyLayer[]> = { -readonly [K in keyof Ls]: ParamsOf<Ls[K]> }
/** The state of `sequential(...layers)`: a tuple of each layer's state, in order. */
export type SequentialState<Ls extends readonly AnyLayer[]> = { -readonly [K in keyof Ls]: StateOf<Ls[K]> }

/**
 * Applies the layers in order, each init seeing the previous output shape. Params and state are
 * typed tuples with one entry per layer (`params[0].w`); each child gets its own key.
 *
 * @throws PuregradError `INVALID_ARGUMENT` for an argument that is not a layer, or params or
 * state of the wrong length in apply; errors of a child name its position (`sequential[1]/dense`).
 * @example
 * ```ts
 * import { ones } from 'puregrad'
 * import { sequential, dense, activation, relu, key } from 'puregrad/layers'
 *
 * const model = sequential(dense(16), activation(relu), dense(3))
 * const { params, state, outputShape } = model.init(key(0), [4])
 * const [y] = model.apply(params, state, ones([2, 4]))
 * if (params[2].w.shape.join() !== '16,3' || y.shape.join() !== '2,3' || outputShape.join() !== '3') throw new Error('sequential')
 * ```
 */
export const sequential = <const Ls extends readonly AnyLayer[]>(...layers: Ls): Layer<SequentialParams<Ls>, SequentialState<Ls>> => {
  const name = 'sequential'
  layers.forEach((l, i) => { if (l === null || typeof l !== 'object' || typeof l.apply !== 'function') argError(name, `argument ${i} is not a layer`) })
  return {
    name,
    init: (key, inputShape, opts) => {
      checkInitKey(name, key)
      let shape = checkInputShape(name, inputShape, 0, 'of any rank')
      const keys = split(key, layers.length)
      const params: unknown[] = [], state: unknown[] = []
      layers.forEach((l, i) => {
        const r = within(`${name}[${i}]`, () => l.init(keys[i], shape, opts))
        params.push(r.params); state.push(r.state); shape = r.outputShape
      })
      return { params: params as SequentialParams<Ls>, state: state as SequentialState<Ls>, outputShape: shape }
    },
    apply: (params, state, x, ctx = {}) => {
      const ps = params as unknown[], ss = state as unknown[]
      if (!Array.isArray(ps) || ps.length !== layers.length) argError(name, `expected params for ${layers.length} layers, got ${Array.isArray(ps) ? ps.length : typeof ps}`)
      if (!Array.isArray(ss) || ss.length !== layers.length) argError(name, `expected state for ${layers.length} layers, got ${Array.isArray(ss) ? ss.length : typeof ss}`)
      const next: unknown[] = []
      let y = x
      layers.forEach((l, i) => {
        const [out, s] = within(`${name}[${i}]`, () => l.apply(ps[i], ss[i], y, childCtx(ctx, i)))
        y = out
        next.push(s)
      })
      return [y, next as SequentialState<Ls>]
    },
  }
}

/** The params of `named(layers)`: a record of each layer's params under its key. */
export type NamedParams<R extends Record<string, AnyLayer>> = { -readonly [K in keyof R]: ParamsOf<R[K]> }
/** The state of `named(layers)`: a record of each layer's state under its key. */
export type NamedState<R extends Record<string, AnyLayer>> = { -readonly [K in keyof R]: StateOf<R[K]> }

/**
 * Applies the layers in the record's key order (insertion order; note that JS puts integer-like
 * keys first). Params and state are records with the same keys: `params.encoder.w`.
 *
 * @throws PuregradError `INVALID_ARGUMENT` for an entry that is not a layer or params missing an
 * entry; errors of a child name its key (`named.encoder/dense: ...`).
 * @example
 * ```ts
 * import { ones } from 'puregrad'
 * import { named, dense, key } from 'puregrad/layers'
 *
 * const model = named({ encoder: dense(8), head: dense(2) })
 * const { params, state } = model.init(key(0), [4])
 * const [y] = model.apply(params, state, ones([3, 4]))
 * if (params.head.w.shape.join() !== '8,2' || y.shape.join() !== '3,2') throw new Error('named')
 * ```
 */
export const named = <const R extends Record<string, AnyLayer>>(layers: R): Layer<NamedParams<R>, NamedState<R>> => {
  const name = 'named'
  const names = Object.keys(layers)
  names.forEach((k) => { const l = layers[k]; if (l === null || typeof l !== 'object' || typeof l.apply !== 'function') argError(name, `entry '${k}' is not a layer`) })
  return {
    name,
    init: (key, inputShape, opts) => {
      checkInitKey(name, key)
      let shape = checkInputShape(name, inputShape, 0, 'of any rank')
      const keys = split(key, names.length)
      const params: Record<string, unknown> = {}, state: Record<string, unknown> = {}
      names.forEach((k, i) => {
        const r = within(`${name}.${k}`, () => layers[k].init(keys[i], shape, opts))
        params[k] = r.params; state[k] = r.state; shape = r.outputShape
      })
      return { params: params as NamedParams<R>, state: state as NamedState<R>, outputShape: shape }
    },
    apply: (params, state, x, ctx = {}) => {
      const ps = params as Record<string, unknown>, ss = state as Record<string, unknown>
      const next: Record<string, unknown> = {}
      let y = x
      names.forEach((k, i) => {
        if (ps === null || typeof ps !== 'object' || !(k in ps)) argError(name, `params have no entry '${k}'`)
        const [out, s] = within(`${name}.${k}`, () => layers[k].apply(ps[k], ss?.[k], y, childCtx(ctx, i)))
        y = out
        next[k] = s
      })
      return [y, next as NamedState<R>]
    },
  }
}

/**
 * x + layer(x); the layer must preserve the shape. Params and state are the inner layer's.
 *
 * @throws PuregradError `SHAPE_MISMATCH` (at init or apply) when the inner layer changes the shape;
 * its own errors are prefixed with `residual/`.
 * @example
 * ```ts
 * import { ones } from 'puregrad'
 * import { residual, dense, initializers, key } from 'puregrad/layers'
 *
 * const block = residual(dense(4, { kernelInit: initializers.zeros }))
 * const { params, state } = block.init(key(0), [4])
 * const [y] = block.apply(params, state, ones([2, 4]))   // x + (x 0 + 0) = x
 * if (!y.dataSync().every((v) => v === 1)) throw new Error(`got ${y}`)
 * ```
 */
export const residual = <P, S>(layer: Layer<P, S>): Layer<P, S> => {
  const name = 'residual'
  return {
    name,
    init: (key, inputShape, opts) => {
      const r = within(name, () => layer.init(key, inputShape, opts))
      if (!shapesEqual(r.outputShape, inputShape)) {
        shapeError(name, `the inner ${layer.name} maps ${fmtShape(inputShape)} to ${fmtShape(r.outputShape)}; a residual needs the shape preserved`)
      }
      return r
    },
    apply: (params, state, x, ctx) => {
      const [y, s] = within(name, () => layer.apply(params, state, x, ctx))
      if (!shapesEqual(y.shape, x.shape)) shapeError(name, `the inner ${layer.name} maps ${fmtShape(x.shape)} to ${fmtShape(y.shape)}; a residual needs the shape preserved`)
      return [add(x, y), s]
    },
  }
}

/**
 * A layer without params or state applying `f` to the batch (an activation, or any function that
 * keeps the shape, which init reports as the output shape). `name` appears in error messages.
 *
 * @example
 * ```ts
 * import { tensor } from 'puregrad'
 * import { activation, relu, key } from 'puregrad/layers'
 *
 * const layer = activation(relu)
 * const { params, state } = layer.init(key(0), [3])
 * const [y] = layer.apply(params, state, tensor([[-1, 0, 2]]))
 * if (y.dataSync().join() !== '0,0,2' || layer.name !== 'relu') throw new Error(`got ${y}`)
 * ```
 */
export const activation = (f: (x: Tensor) => Tensor, name: string = f.name === '' ? 'activation' : f.name): Layer<Empty, Empty> =>
  stateless(name, (s) => [...s], (x) => f(x))
