/**
 * Adam and its relatives, each as a scaling transform (the Optax scale_by_* without the learning
 * rate) and the optimizer that multiplies it by -lr. With t the update number (1 at the first):
 *
 * - Adam (Kingma & Ba 2015, Algorithm 1): m = b1 m + (1 - b1) g, v = b2 v + (1 - b2) g^2,
 *   m^ = m / (1 - b1^t), v^ = v / (1 - b2^t), update = -lr m^ / (sqrt(v^) + eps).
 * - AdamW (Loshchilov & Hutter 2019): update = -lr (m^ / (sqrt(v^) + eps) + wd params), the
 *   decay decoupled from the adaptive scaling (as Optax and PyTorch: wd is multiplied by lr).
 * - Adamax (Kingma & Ba 2015, Algorithm 2): m as Adam, u = max(b2 u, |g| + eps),
 *   update = -(lr / (1 - b1^t)) m / u (eps inside the max as Optax and PyTorch, so u > 0).
 *
 * States are `{ count, mu, nu }` with `mu` and `nu` shaped like the parameters and `count` the
 * number of updates made, a plain number. Any hyperparameter may be a schedule of the count
 * before the update (0 at the first); bias corrections use the current b1 and b2.
 *
 * The composed ops are Adam's definition (so an unrolled optimization is differentiable). When
 * every leaf is a concrete float32 tensor on a backend with `fusedAdam` and no transformation
 * traces it, the same float32 operations run as one kernel per leaf, with identical results.
 */

import type { Backend } from '../backends/backend.js'
import { releaseScope } from '../backends/backend.js'
import { config } from '../core/config.js'
import { Tensor } from '../core/tensor.js'
import { treeDefEquals, treeFlatten, treeUnflatten } from '../diff/tree.js'
import { abs, add, div, maximum, mul, sqrt } from '../ops/elementwise.js'
import { checkHyper, hyperAt, type Hyper } from './schedules.js'
import { withLearningRate, type GradientTransformation, type ScalingTransformation } from './transformation.js'
import { withDecayedWeights } from './decay.js'
import type { Mask } from './mask.js'
import { leafwise, scaleTree, zerosTree } from './tree-math.js'

/** Options of `adam`, `adamax` and their scaling transforms. */
export interface AdamOptions {
  /** Decay of the first moment. Default 0.9. */
  readonly b1?: Hyper
  /** Decay of the second moment (of the infinity norm, for adamax). Default 0.999. */
  readonly b2?: Hyper
  /** Added to the denominator. Default 1e-8. */
  readonly eps?: Hyper
}

/** Options of `adamw`. */
export interface AdamWOptions<P> extends AdamOptions {
  /** The decoupled weight decay. Default 1e-4 (Optax's default). */
  readonly weightDecay?: Hyper
  /** Which leaves decay (default all). */
  readonly mask?: Mask<P>
}

/** Adam's state: the update count and the first and second moment estimates, shaped like P. */
export interface AdamState<P> {
  readonly count: number
  readonly mu: P
  readonly nu: P
}

/** Adamax's state: the update count, the first moment and the infinity norm u (as `nu`). */
export type AdamaxState<P> = AdamState<P>

const checkBetas = (op: string, o: AdamOptions): void => {
  const beta = (v: number): boolean => v >= 0 && v < 1
  checkHyper(op, 'b1', o.b1 ?? 0.9, beta, 'in [0, 1)')
  checkHyper(op, 'b2', o.b2 ?? 0.999, beta, 'in [0, 1)')
  checkHyper(op, 'eps', o.eps ?? 1e-8, (v) => Number.isFinite(v) && v >= 0, 'a finite number >= 0')
}

const hypers = (o: AdamOptions, count: number) => ({
  b1: hyperAt(o.b1 ?? 0.9, count),
  b2: hyperAt(o.b2 ?? 0.999, count),
  eps: hyperAt(o.eps ?? 1e-8, count),
  t: count + 1,
})

const initMoments = <P>(params: P): AdamState<P> => ({ count: 0, mu: zerosTree(params), nu: zerosTree(params) })

/**
 * The Adam step through `Backend.fusedAdam`, or undefined where the composite must run: a traced
 * or non-float32 leaf, leaves on different backends or one without the capability, mismatched
 * records (the composite names the difference), NaN checking on (it checks each op's output), or
 * a backend declining. Constants are the composite's: the weak scalars b1, 1 - b1, ... as float32.
 * `scale` multiplies the direction last, as scaleTree would (1: the bare direction).
 */
const fusedStep = <P>(grads: P, m: P, v: P, b1: number, b2: number, eps: number, t: number, scale: number): [P, P, P] | undefined => {
  if (config.debugNans) return undefined
  const [ms, def] = treeFlatten<Tensor>(m)
  const [gs, gDef] = treeFlatten<Tensor>(grads)
  const [vs, vDef] = treeFlatten<Tensor>(v)
  if (ms.length === 0 || !treeDefEquals(def, gDef) || !treeDefEquals(def, vDef)) return undefined
  const backend = ms[0].backend as Backend | null
  if (backend?.fusedAdam === undefined) return undefined
  for (const x of [...ms, ...gs, ...vs]) {
    if (!(x instanceof Tensor) || x.tracer !== null || x.backend !== backend || x.dtype !== 'float32') return undefined
  }
  const same = (a: Tensor, b: Tensor): boolean => a.shape.length === b.shape.length && a.shape.every((d, k) => d === b.shape[k])
  for (let i = 0; i < ms.length; i++) if (!same(gs[i], ms[i]) || !same(vs[i], ms[i])) return undefined
  const h = { b1, omb1: 1 - b1, b2, omb2: 1 - b2, c1: 1 - b1 ** t, c2: 1 - b2 ** t, eps, scale }
  const outs: { readonly mu: unknown; readonly nu: unknown; readonly update: unknown }[] = []
  for (let i = 0; i < ms.length; i++) {
    const o = backend.fusedAdam(gs[i].buffer, ms[i].buffer, vs[i].buffer, ms[i].size, h)
    if (o === undefined) return undefined
    outs.push(o)
  }
  const wrap = (key: 'mu' | 'nu' | 'update'): P => treeUnflatten<P>(def, outs.map((o, i) => {
    if (releaseScope.log !== null && backend.release !== undefined) releaseScope.log.push(backend, o[key])
    return new Tensor(ms[i].shape, 'float32', backend, o[key], null)
  }))
  return [wrap('mu'), wrap('nu'), wrap('update')]
}

/**
 * Adam's direction m / (1 - b1^t) / (sqrt(v / (1 - b2^t)) + eps), without the learning rate
 * (Optax scale_by_adam): chain it with `scaleByLearningRate`, or use `adam`.
 *
 * @throws PuregradError `INVALID_ARGUMENT` for a constant b1 or b2 outside [0, 1) or an eps that is
 * negative or not finite.
 * @example
 * ```ts
 * import { tensor } from 'puregrad'
 * import { scaleByAdam } from 'puregrad/optim'
 *
 * const g = { w: tensor([-8, 0.5]) }
 * const opt = scaleByAdam<typeof g>()
 * const [u, state] = opt.update(g, opt.init(g), g)    // the first step is sign(g), bias-corrected
 * if (u.w.dataSync().some((v, i) => Math.abs(v - [-1, 1][i]) > 1e-6) || state.count !== 1) throw new Error(`got ${u.w}`)
 * ```
 */
export const scaleByAdam = <P>(opts: AdamOptions = {}): GradientTransformation<P, AdamState<P>> => {
  checkBetas('scaleByAdam', opts)
  // `adam` passes its -lr as `scale`, so the fused kernel applies it in the same pass.
  const step = (grads: P, state: AdamState<P>, scale: number): [P, AdamState<P>] => {
    const { b1, b2, eps, t } = hypers(opts, state.count)
    const fused = fusedStep(grads, state.mu, state.nu, b1, b2, eps, t, scale)
    if (fused !== undefined) return [fused[2], { count: t, mu: fused[0], nu: fused[1] }]
    const mu = leafwise([state.mu, grads], ([m, g]) => add(mul(m, b1), mul(g, 1 - b1)))
    const nu = leafwise([state.nu, grads], ([v, g]) => add(mul(v, b2), mul(mul(g, g), 1 - b2)))
    const c1 = 1 - b1 ** t, c2 = 1 - b2 ** t
    const u = leafwise([mu, nu], ([m, v]) => div(div(m, c1), add(sqrt(div(v, c2)), eps)))
    return [scaleTree(u, scale), { count: t, mu, nu }]
  }
  const transformation: ScalingTransformation<P, AdamState<P>> = {
    init: initMoments,
    update: (grads, state) => step(grads, state, 1),
    updateScaled: (grads, state, _params, a) => step(grads, state, a),
  }
  return transformation
}

/**
 * Adam (Kingma & Ba 2015): update = -lr m^ / (sqrt(v^) + eps), with bias-corrected moment
 * estimates m^ and v^. The state `{ count, mu, nu }` holds moments shaped like the parameters.
 *
 * @throws PuregradError `INVALID_ARGUMENT` for a bad constant hyperparameter (see
 * `scaleByAdam`; a learning rate must be finite and >= 0); `DTYPE_MISMATCH` from init for an
 * integer or bool leaf; `TREE_MISMATCH` from update for grads not shaped like the state.
 * @example
 * ```ts
 * import { tensor, grad, sum, square, sub, type Tensor } from 'puregrad'
 * import { adam, applyUpdates } from 'puregrad/optim'
 *
 * type Params = { w: Tensor }
 * const loss = (p: Params): Tensor => sum(square(sub(p.w, tensor([3, -1]))))
 * const opt = adam<Params>(0.1)
 * let params: Params = { w: tensor([0, 0]) }
 * let state = opt.init(params)
 * for (let i = 0; i < 300; i++) {
 *   const [updates, next] = opt.update(grad(loss)(params), state, params)
 *   params = applyUpdates(params, updates)
 *   state = next
 * }
 * if (loss(params).item() > 1e-3) throw new Error(`loss ${loss(params).item()}`)
 * ```
 */
export const adam = <P>(learningRate: Hyper, opts: AdamOptions = {}): GradientTransformation<P, AdamState<P>> =>
  withLearningRate('adam', scaleByAdam<P>(opts), learningRate)

/**
 * AdamW: Adam with decoupled weight decay (Loshchilov & Hutter 2019), update =
 * -lr (m^ / (sqrt(v^) + eps) + weightDecay params), on the leaves `mask` selects. State as `adam`.
 *
 * @throws PuregradError as `adam`, and `INVALID_ARGUMENT` for a weight decay that is negative or
 * not finite or a malformed mask.
 * @example
 * ```ts
 * import { tensor } from 'puregrad'
 * import { adamw } from 'puregrad/optim'
 *
 * const params = { w: tensor([1]), b: tensor([1]) }
 * const opt = adamw<typeof params>(0.1, { weightDecay: 0.5, mask: (path) => path.endsWith('.w') })
 * const zero = { w: tensor([0]), b: tensor([0]) }      // no gradient: only the decay moves w
 * const [u] = opt.update(zero, opt.init(params), params)
 * if (Math.abs(u.w.item() + 0.05) > 1e-7 || u.b.item() !== 0) throw new Error(`got ${u.w}, ${u.b}`)
 * ```
 */
export const adamw = <P>(learningRate: Hyper, opts: AdamWOptions<P> = {}): GradientTransformation<P, AdamState<P>> =>
  withLearningRate('adamw', withDecayedWeights('adamw', scaleByAdam<P>(opts), opts.weightDecay ?? 1e-4, opts.mask), learningRate)

/**
 * Adamax's direction m / (1 - b1^t) / u with u = max(b2 u, |g| + eps), without the learning rate
 * (Optax scale_by_adamax).
 *
 * @throws PuregradError as `scaleByAdam`.
 * @example
 * ```ts
 * import { tensor } from 'puregrad'
 * import { scaleByAdamax } from 'puregrad/optim'
 *
 * const g = { w: tensor([4]) }
 * const opt = scaleByAdamax<typeof g>()
 * const [u, state] = opt.update(g, opt.init(g), g)    // (0.1 g / 0.1) / |g| = 1
 * if (Math.abs(u.w.item() - 1) > 1e-6 || state.nu.w.item() !== 4) throw new Error(`got ${u.w}`)
 * ```
 */
export const scaleByAdamax = <P>(opts: AdamOptions = {}): GradientTransformation<P, AdamaxState<P>> => {
  checkBetas('scaleByAdamax', opts)
  return {
    init: initMoments,
    update: (grads, state) => {
      const { b1, b2, eps, t } = hypers(opts, state.count)
      const mu = leafwise([state.mu, grads], ([m, g]) => add(mul(m, b1), mul(g, 1 - b1)))
      const nu = leafwise([state.nu, grads], ([u, g]) => maximum(mul(u, b2), add(abs(g), eps)))
      const c1 = 1 - b1 ** t
      const u = leafwise([mu, nu], ([m, n]) => div(div(m, c1), n))
      return [u, { count: t, mu, nu }]
    },
  }
}

/**
 * Adamax (Kingma & Ba 2015, Algorithm 2): Adam with the infinity norm in place of the second
 * moment; state `{ count, mu, nu }` with nu the running max u.
 *
 * @throws PuregradError as `adam`.
 * @example
 * ```ts
 * import { tensor } from 'puregrad'
 * import { adamax, applyUpdates } from 'puregrad/optim'
 *
 * const params = { w: tensor([1]) }
 * const opt = adamax<typeof params>(0.5)
 * const [u] = opt.update({ w: tensor([2]) }, opt.init(params), params)
 * if (Math.abs(applyUpdates(params, u).w.item() - 0.5) > 1e-6) throw new Error('one step of size lr')
 * ```
 */
export const adamax = <P>(learningRate: Hyper, opts: AdamOptions = {}): GradientTransformation<P, AdamaxState<P>> =>
  withLearningRate('adamax', scaleByAdamax<P>(opts), learningRate)
