/**
 * How the elementwise op functions are made from their primitives (elementwise.ts, compare.ts):
 * one call to `bind` after the operands are checked, and the function named after its op.
 */

import { bind } from '../diff/bind.js'
import type { Tensor, TensorLike } from '../core/tensor.js'
import type { BinaryPrimitive, ComparePrimitive, UnaryPrimitive } from '../diff/primitives.js'
import { asPair, asTensor } from './convert.js'

/** The params of primitives that take none. */
export const NONE = {} as Record<string, never>

/**
 * The op functions the factories make carry their op's name, as a hand-written function would:
 * `activation(tanh)` names its layer from it, and diagnostics find tanh layers by that name.
 */
const named = <F extends Function>(name: string, f: F): F => Object.defineProperty(f, 'name', { value: name })

export const unary = (prim: UnaryPrimitive) => named(prim, (x: Tensor): Tensor => bind(prim, [asTensor(prim, x)], NONE))
export const binary = (prim: BinaryPrimitive | ComparePrimitive) =>
  named(prim, (a: TensorLike, b: TensorLike): Tensor => bind(prim, asPair(prim, a, b), NONE))
