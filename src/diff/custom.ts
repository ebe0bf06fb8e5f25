/**
 * User-defined derivative rules, with JAX's conventions. `customVjp(f, fwd, bwd)` replaces the
 * reverse-mode derivative of f; `customJvp(f, rule)` replaces its forward-mode derivative. A
 * custom rule governs only its own mode: the other mode differentiates `f` itself.
 */

import { Tensor } from '../core/tensor.js'
import { fail, fmtShape } from '../core/errors.js'
import { shapesEqual } from '../core/shape.js'
import { zerosLike } from '../core/constructors.js'
import { primalAt, type Trace } from './tracer.js'
import { ReverseTrace } from './reverse.js'
import { JvpTrace } from './forward.js'

const topTrace = (args: readonly Tensor[]): Trace | null => {
  let top: Trace | null = null
  for (const x of args) {
    if (!(x instanceof Tensor)) fail('INVALID_ARGUMENT', 'custom rule', `arguments must be tensors, got ${typeof x}`)
    const t = x.tracer
    if (t !== null && (top === null || t.trace.level > top.level)) top = t.trace
  }
  return top
}

const checkLike = (op: string, what: string, got: Tensor, want: Tensor): void => {
  if (!(got instanceof Tensor) || !shapesEqual(got.shape, want.shape) || got.dtype !== want.dtype) {
    fail('SHAPE_MISMATCH', op, `${what}: expected ${fmtShape(want.shape)} ${want.dtype}, got ${got instanceof Tensor ? `${fmtShape(got.shape)} ${got.dtype}` : typeof got}`)
  }
}

/**
 * `fwd(...args)` returns `[out, residuals]`; `bwd(residuals, ct)` returns one gradient per
 * argument (null for zero). Residuals may be anything the backward rule needs.
 */
export const customVjp = <A extends Tensor[], R>(
  f: (...args: A) => Tensor,
  fwd: (...args: A) => readonly [Tensor, R],
  bwd: (residuals: R, ct: Tensor) => readonly (Tensor | null)[],
): ((...args: A) => Tensor) => (...args: A): Tensor => {
  const top = topTrace(args)
  if (!(top instanceof ReverseTrace)) return f(...args)
  const primals = args.map((x) => primalAt(x, top)) as A
  const [out, res] = fwd(...primals)
  return top.record('customVjp', args, out, (ct) => {
    const gs = bwd(res, ct)
    if (gs.length !== args.length) fail('INVALID_ARGUMENT', 'customVjp', `bwd returned ${gs.length} gradients for ${args.length} arguments`)
    gs.forEach((g, i) => { if (g !== null) checkLike('customVjp', `gradient ${i}`, g, primals[i]) })
    return gs
  })
}

/** `rule(primals, tangents)` returns `[out, tangentOut]`; zero tangents arrive as zeros. */
export const customJvp = <A extends Tensor[]>(
  f: (...args: A) => Tensor,
  rule: (primals: A, tangents: A) => readonly [Tensor, Tensor],
): ((...args: A) => Tensor) => (...args: A): Tensor => {
  const top = topTrace(args)
  if (!(top instanceof JvpTrace)) return f(...args)
  const primals = args.map((x) => primalAt(x, top)) as A
  const tangents = args.map((x, i) => top.tangentOf(x) ?? zerosLike(primals[i])) as A
  const [out, tout] = rule(primals, tangents)
  checkLike('customJvp', 'tangent output', tout, out)
  return top.dual(out, tout)
}
