/**
 * Forward mode: a trace whose values are dual numbers (primal, tangent). Each op computes its
 * primal one level down and its tangent with the primitive's JVP rule. A null tangent is a
 * symbolic zero: ops on constants cost nothing extra and their results are plain constants.
 */

import { Tensor } from '../core/tensor.js'
import { isFloat, type DType } from '../core/dtype.js'
import { bind } from './bind.js'
import { Trace, primalAt, type Tracer } from './tracer.js'
import type { Primitive, PrimitiveParams } from './primitives.js'
import { jvpRules } from './jvp-rules.js'

export interface JvpTracer extends Tracer {
  readonly tangent: Tensor
}

export class JvpTrace extends Trace {
  dual(primal: Tensor, tangent: Tensor, path?: string): Tensor {
    const tracer: JvpTracer = { trace: this, primal, tangent, path }
    return new Tensor(primal.shape, primal.dtype, null, null, tracer)
  }

  tangentOf(x: Tensor): Tensor | null {
    return x.tracer !== null && x.tracer.trace === this ? (x.tracer as JvpTracer).tangent : null
  }

  process<P extends Primitive>(prim: P, inputs: readonly Tensor[], params: PrimitiveParams[P], _shape: readonly number[], dtype: DType): Tensor {
    const primals = inputs.map((x) => primalAt(x, this))
    const out = bind(prim, primals, params)
    if (!isFloat(dtype)) return out
    const tangents = inputs.map((x) => this.tangentOf(x))
    if (tangents.every((t) => t === null)) return out
    const rule = jvpRules[prim] as (p: readonly Tensor[], t: readonly (Tensor | null)[], params: PrimitiveParams[P], out: Tensor) => Tensor | null
    const t = rule(primals, tangents, params, out)
    return t === null ? out : this.dual(out, t)
  }
}
