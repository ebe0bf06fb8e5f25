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
 * `f` with a reverse-mode derivative of your own (JAX's `custom_vjp`), for numerical stability,
 * gradient clipping or straight-through estimators. Under reverse mode ({@link grad}, {@link vjp})
 * the result runs `fwd(...args)`, which returns `[out, residuals]` (residuals: anything the
 * backward rule needs), and differentiates by `bwd(residuals, ct)`, which returns one gradient per
 * argument, shaped like it, or null for zero. Everywhere else (no transformation, forward mode)
 * it runs `f` itself. Arguments are tensors; `f` returns one tensor.
 * @throws PuregradError `INVALID_ARGUMENT` when an argument is not a tensor or `bwd` returns the
 * wrong number of gradients; `SHAPE_MISMATCH` when a gradient's shape or dtype differs from its argument's.
 * @example
 * ```ts
 * import { clip, customVjp, grad, mul, sum, tensor, type Tensor } from 'puregrad'
 * // the identity, whose gradient is clipped to [-1, 1] on the way back
 * const clipGradient = customVjp(
 *   (x: Tensor) => x,
 *   (x: Tensor) => [x, null] as const,
 *   (_residuals, ct) => [clip(ct, -1, 1)],
 * )
 * grad((x: Tensor) => sum(mul(clipGradient(x), 5)))(tensor([1, 2])).arraySync() // => [1, 1]
 * ```
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

/**
 * `f` with a forward-mode derivative of your own (JAX's `custom_jvp`). Under {@link jvp} the result
 * runs `rule(primals, tangents)`, which returns `[out, tangentOut]` (tangents of arguments that are
 * not being differentiated arrive as zeros); everywhere else, reverse mode included, it runs `f`
 * itself. Arguments are tensors; `f` returns one tensor.
 * @throws PuregradError `INVALID_ARGUMENT` when an argument is not a tensor; `SHAPE_MISMATCH` when
 * the tangent output's shape or dtype differs from the output's.
 * @example
 * ```ts
 * import { customJvp, jvp, mul, tensor, type Tensor } from 'puregrad'
 * const square = customJvp(
 *   (x: Tensor) => mul(x, x),
 *   ([x], [t]) => [mul(x, x), mul(mul(x, 2), t)] as const,
 * )
 * jvp(square, [tensor([3])], [tensor([1])])[1].arraySync() // => [6]
 * ```
 */
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
