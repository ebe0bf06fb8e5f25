/**
 * The single entry point through which every primitive runs. `bind` checks shapes and dtypes with
 * the primitive's shape rule (so nothing reaches a kernel unchecked), then hands the op to the
 * highest-level active trace among the operands, or, with no tracer in sight, to the operands'
 * backend kernel.
 */

import { releaseScope, type Backend } from '../backends/backend.js'
import { config, phase } from '../core/config.js'
import { PuregradError, fail, fmtShape } from '../core/errors.js'
import { Tensor } from '../core/tensor.js'
import type { DType } from '../core/dtype.js'
import type { Primitive, PrimitiveParams } from './primitives.js'
import { shapeRules } from './shape-rules.js'
import type { Trace } from './tracer.js'

export const bind = <P extends Primitive>(prim: P, inputs: readonly Tensor[], params: PrimitiveParams[P]): Tensor => {
  let shape: readonly number[]
  let dtype: DType
  try {
    ;[shape, dtype] = shapeRules[prim](inputs, params as never)
  } catch (e) {
    throw withPaths(e, inputs)
  }
  let top: Trace | null = null
  for (let i = 0; i < inputs.length; i++) {
    const t = inputs[i].tracer
    if (t !== null && (top === null || t.trace.level > top.level)) top = t.trace
  }
  if (top === null) return evaluate(prim, inputs, params, shape, dtype)
  if (!top.active) {
    fail('ESCAPED_TRACER', prim, 'an operand is a value traced by a transformation (grad, jvp, vjp) that has already returned; return it from the function instead of storing it')
  }
  return top.process(prim, inputs, params, shape, dtype)
}

/** Adds the parameter paths of the operands, when they came straight from a differentiated record. */
const withPaths = (e: unknown, inputs: readonly Tensor[]): unknown => {
  if (!(e instanceof PuregradError)) return e
  const paths: string[] = []
  inputs.forEach((x, i) => {
    const p = x.tracer?.path
    if (p !== undefined) paths.push(`operand ${i} is ${p} ${fmtShape(x.shape)}`)
  })
  if (paths.length === 0) return e
  return new PuregradError(e.code, `${e.detail} (${paths.join('; ')})`, e.op)
}

const evaluate = <P extends Primitive>(
  prim: P, inputs: readonly Tensor[], params: PrimitiveParams[P], shape: readonly number[], dtype: DType,
): Tensor => {
  const backend = inputs[0].backend as Backend
  for (let i = 1; i < inputs.length; i++) {
    if (inputs[i].backend !== backend) {
      const other = (inputs[i].backend as Backend).name
      fail('BACKEND_MISMATCH', prim, other === backend.name
        ? `operands 0 and ${i} are on two backends both named '${other}' (one replaced the other, e.g. after a device loss); move the older tensor with toBackendAsync`
        : `operand 0 is on '${backend.name}' but operand ${i} is on '${other}'; move one with toBackend`)
    }
  }
  if (!backend.dtypes.includes(dtype)) {
    fail('UNSUPPORTED_DTYPE', prim, `backend '${backend.name}' does not support ${dtype}`)
  }
  const kernelInputs = inputs.map((x) => ({ data: x.buffer, shape: x.shape, dtype: x.dtype }))
  const kernel = backend.kernels[prim] as (i: typeof kernelInputs, p: PrimitiveParams[P], o: { shape: readonly number[]; dtype: DType }) => unknown
  const buffer = kernel(kernelInputs, params, { shape, dtype })
  if (releaseScope.log !== null && backend.release !== undefined) releaseScope.log.push(backend, buffer)
  const out = new Tensor(shape, dtype, backend, buffer, null)
  if (config.debugNans && (dtype === 'float32' || dtype === 'float64')) checkFinite(prim, out)
  return out
}

const checkFinite = (prim: Primitive, out: Tensor): void => {
  const v = out.dataSync()
  for (let i = 0; i < v.length; i++) {
    if (!Number.isFinite(v[i])) {
      const where = phase.current === 'forward' ? 'in the forward pass' : `in the backward pass, inside the gradient of ${phase.current}`
      fail('NON_FINITE', prim, `produced ${v[i]} at flat index ${i} of an output of shape ${fmtShape(out.shape)} ${where}`)
    }
  }
}
