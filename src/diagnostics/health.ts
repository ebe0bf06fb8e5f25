/**
 * Gradient health: for a loss, a parameter record and a batch, `gradientHealth` reports per
 * parameter path the gradient norm, the parameter norm, their ratio, the update-to-weight ratio
 * (given a learning rate or an optimizer), non-finite counts, activation statistics (when the loss
 * returns `[loss, activations]`, see ./activations.ts), and flags vanishing and exploding
 * gradients against the thresholds of ./thresholds.ts. When the loss or a gradient is not finite
 * it reruns the pass under debugNans to name the first op that produced a NaN or an Infinity.
 *
 * `healthFromGrads` is the same report from gradients already in hand (e.g. after clipping).
 * Everything is read to the host once per call; nothing is mutated.
 */

import * as E from 'fp-ts/lib/Either.js'
import type { Tensor } from '../core/tensor.js'
import { PuregradError } from '../core/errors.js'
import { config } from '../core/config.js'
import { valueAndGrad } from '../diff/transforms.js'
import { treeLeaves, treeLeavesWithPath } from '../diff/tree.js'
import type { GradientTransformation } from '../optim/transformation.js'
import { activationHealth, type ActivationHealth, type Activations } from './activations.js'
import { DEFAULT_THRESHOLDS, type Thresholds } from './thresholds.js'

/** A loss of the parameters and a batch: a scalar, or `[scalar, activations]` to check activations too. */
export type HealthLoss<P, B> = (params: P, batch: B) => Tensor | readonly [Tensor, Activations]

/** What the report flags about a parameter. */
export type ParamFlag = 'vanishing' | 'exploding' | 'non-finite' | 'tiny-update' | 'large-update'

/** One parameter's row of the report. */
export interface ParamHealth {
  /** Its path in the record: `params.layers[0].w`. */
  readonly path: string
  readonly shape: readonly number[]
  /** L2 norm of the gradient's finite elements. */
  readonly gradNorm: number
  /** L2 norm of the parameter's finite elements. */
  readonly paramNorm: number
  /** gradNorm / paramNorm; null when the parameter is all zeros (a fresh bias). */
  readonly gradToParam: number | null
  /** L2 norm of the update, when a learning rate or an optimizer was given. */
  readonly updateNorm: number | null
  /** updateNorm / paramNorm; null without an update or for an all-zero parameter. */
  readonly updateToWeight: number | null
  /** How many gradient elements are NaN or infinite. */
  readonly nonFiniteGrads: number
  /** How many parameter elements are NaN or infinite. */
  readonly nonFiniteParams: number
  /** Whether the leaf is a layer's weight (rank >= 2): those make the per-layer series. */
  readonly isWeight: boolean
  readonly flags: readonly ParamFlag[]
}

/** Where debugNans stopped: the primitive, the layer path around it (if any) and the pass. */
export interface NanOrigin {
  readonly op: string
  /** The layer path the error came through (`sequential[3]/dense`), when the op ran inside layers. */
  readonly within: string | null
  readonly phase: 'forward' | 'backward'
  /** In the backward pass: the op whose gradient rule produced the value. */
  readonly gradientOf: string | null
  readonly message: string
}

/** What `gradientHealth` and `healthFromGrads` return; `formatHealthReport` prints it. */
export interface HealthReport {
  /** The loss (NaN when it is not finite). */
  readonly loss: number
  readonly params: readonly ParamHealth[]
  readonly activations: readonly ActivationHealth[]
  /** L2 norm over every gradient leaf. */
  readonly globalGradNorm: number
  /** Paths of the first and last weight leaves (rank >= 2), in leaf order. */
  readonly firstLayer: string | null
  /** See `firstLayer`. */
  readonly lastLayer: string | null
  /** First weight's gradient norm over the last's. */
  readonly firstToLast: number | null
  /** Whether any parameter, or the first-to-last ratio, is flagged vanishing. */
  readonly vanishing: boolean
  /** Whether any parameter, the first-to-last ratio or the global norm is flagged exploding. */
  readonly exploding: boolean
  /** Whether the loss, a gradient, a parameter or an activation holds a NaN or an infinity. */
  readonly nonFinite: boolean
  /** One sentence per finding, each naming the measured value and the threshold. */
  readonly findings: readonly string[]
  /** Where the first NaN or infinity appeared, when something was not finite and locateNans ran. */
  readonly nanOrigin: NanOrigin | null
  /** The thresholds the flags were judged by. */
  readonly thresholds: Thresholds
}

/** Options of `gradientHealth` and `healthFromGrads`. */
export interface HealthOptions<P, S = unknown> {
  /** Measures the update of plain SGD: -learningRate * grad. */
  readonly learningRate?: number
  /** Measures an optimizer's update from its state (the state is not advanced). */
  readonly optimizer?: { readonly transformation: GradientTransformation<P, S>; readonly state: S }
  /** Overrides of `DEFAULT_THRESHOLDS`. */
  readonly thresholds?: Partial<Thresholds>
  /** Rerun under debugNans to locate the first non-finite op when something is not finite; default true. */
  readonly locateNans?: boolean
}

interface Norm { readonly norm: number; readonly nonFinite: number }

const normOf = (t: Tensor): Norm => {
  const v = t.dataSync()
  let sq = 0, nonFinite = 0
  for (let i = 0; i < v.length; i++) {
    const x = v[i]
    if (Number.isFinite(x)) sq += x * x
    else nonFinite++
  }
  return { norm: Math.sqrt(sq), nonFinite }
}

const sci = (x: number): string => (x === 0 || !Number.isFinite(x) ? String(x) : x.toExponential(2))

/**
 * The report for `grads` of `params` (same structure), with the loss value and activations if
 * known. Flags per parameter and for the model as described in ./thresholds.ts.
 *
 * @throws PuregradError `TREE_MISMATCH` when grads do not have one leaf per parameter leaf.
 * @example
 * ```ts
 * import { tensor } from 'puregrad'
 * import { healthFromGrads } from 'puregrad/diagnostics'
 *
 * const params = { l1: { w: tensor([[1, 1]]) }, l2: { w: tensor([[1], [1]]) } }
 * const grads = { l1: { w: tensor([[1e-7, 0]]) }, l2: { w: tensor([[1], [0]]) } }
 * const r = healthFromGrads(params, grads, { learningRate: 0.1 })
 * if (!r.vanishing || r.firstLayer !== 'params.l1.w' || !r.params[0].flags.includes('vanishing')) throw new Error(r.findings.join('\n'))
 * ```
 */
export const healthFromGrads = <P, S = unknown>(
  params: P, grads: P, opts: HealthOptions<P, S> & { readonly loss?: number; readonly activations?: Activations } = {},
): HealthReport => {
  const t: Thresholds = { ...DEFAULT_THRESHOLDS, ...opts.thresholds }
  const leaves = treeLeavesWithPath<Tensor>(params, 'params')
  const gLeaves = treeLeaves<Tensor>(grads, 'grads')
  if (gLeaves.length !== leaves.length) {
    throw new PuregradError('TREE_MISMATCH', `params have ${leaves.length} leaves but grads ${gLeaves.length}`, 'healthFromGrads')
  }
  let uLeaves: Tensor[] | null = null
  if (opts.optimizer !== undefined) {
    const [updates] = opts.optimizer.transformation.update(grads, opts.optimizer.state, params)
    uLeaves = treeLeaves<Tensor>(updates, 'updates')
  }
  const findings: string[] = []
  let globalSq = 0
  const rows: ParamHealth[] = leaves.map(([path, p], i) => {
    const g = normOf(gLeaves[i])
    const w = normOf(p)
    globalSq += g.norm * g.norm
    const gradToParam = w.norm > 0 ? g.norm / w.norm : null
    const updateNorm = uLeaves !== null ? normOf(uLeaves[i]).norm : opts.learningRate !== undefined ? Math.abs(opts.learningRate) * g.norm : null
    const updateToWeight = updateNorm !== null && w.norm > 0 ? updateNorm / w.norm : null
    const flags: ParamFlag[] = []
    if (g.nonFinite > 0 || w.nonFinite > 0) flags.push('non-finite')
    if (gradToParam !== null && gradToParam < t.vanishingGradToParam) flags.push('vanishing')
    if (g.norm > t.explodingGradNorm) flags.push('exploding')
    if (updateToWeight !== null && updateToWeight < t.updateToWeightLow) flags.push('tiny-update')
    if (updateToWeight !== null && updateToWeight > t.updateToWeightHigh) flags.push('large-update')
    return {
      path, shape: p.shape, gradNorm: g.norm, paramNorm: w.norm, gradToParam, updateNorm, updateToWeight,
      nonFiniteGrads: g.nonFinite, nonFiniteParams: w.nonFinite, isWeight: p.rank >= 2, flags,
    }
  })
  const n = rows.length
  const flagged = (f: ParamFlag, value: (r: ParamHealth) => number, worstFirst: 'low' | 'high', what: string): void => {
    const hit = rows.filter((r) => r.flags.includes(f)).sort((a, b) => (worstFirst === 'low' ? value(a) - value(b) : value(b) - value(a)))
    if (hit.length === 0) return
    const shown = hit.slice(0, 3).map((r) => `${r.path} ${sci(value(r))}`).join(', ')
    findings.push(`${f}: ${what} for ${hit.length} of ${n} parameters (${worstFirst === 'low' ? 'lowest' : 'highest'}: ${shown}${hit.length > 3 ? ', ...' : ''})`)
  }
  flagged('non-finite', (r) => r.nonFiniteGrads + r.nonFiniteParams, 'high', 'non-finite gradient or parameter values')
  flagged('vanishing', (r) => r.gradToParam ?? 0, 'low', `||g||/||w|| < ${t.vanishingGradToParam}`)
  flagged('exploding', (r) => r.gradNorm, 'high', `||g|| > ${t.explodingGradNorm}`)
  flagged('tiny-update', (r) => r.updateToWeight ?? 0, 'low', `update/weight < ${t.updateToWeightLow}`)
  flagged('large-update', (r) => r.updateToWeight ?? 0, 'high', `update/weight > ${t.updateToWeightHigh}`)

  const weights = rows.filter((r) => r.isWeight)
  const first = weights[0], last = weights[weights.length - 1]
  const firstToLast = first !== undefined && last !== undefined && weights.length > 1 && last.gradNorm > 0 ? first.gradNorm / last.gradNorm : null
  const globalGradNorm = Math.sqrt(globalSq)
  let vanishing = rows.some((r) => r.flags.includes('vanishing'))
  let exploding = rows.some((r) => r.flags.includes('exploding'))
  if (firstToLast !== null && firstToLast < t.vanishingFirstToLast) {
    vanishing = true
    findings.push(`vanishing: first/last layer ||g|| = ${sci(firstToLast)} (${first.path} / ${last.path}) < ${t.vanishingFirstToLast}`)
  }
  if (firstToLast !== null && firstToLast > t.explodingFirstToLast) {
    exploding = true
    findings.push(`exploding: first/last layer ||g|| = ${sci(firstToLast)} (${first.path} / ${last.path}) > ${t.explodingFirstToLast}`)
  }
  if (globalGradNorm > t.explodingGradNorm) {
    exploding = true
    findings.push(`exploding: global ||g|| = ${sci(globalGradNorm)} > ${t.explodingGradNorm}`)
  }
  const activations = opts.activations === undefined ? [] : activationHealth(opts.activations, t)
  for (const a of activations) {
    if (a.flags.includes('dead-relu')) findings.push(`dead ReLUs: ${a.name} has ${(100 * (a.deadFraction ?? 0)).toFixed(1)}% dead units > ${100 * t.deadReluFraction}%`)
    if (a.flags.includes('saturated')) findings.push(`saturated: ${a.name} (${a.kind}) has ${(100 * (a.saturatedFraction ?? 0)).toFixed(1)}% saturated outputs > ${100 * t.saturatedFraction}%`)
    if (a.flags.includes('non-finite')) findings.push(`non-finite: ${a.name} holds ${a.nonFinite} non-finite values`)
  }
  const loss = opts.loss ?? Number.NaN
  const nonFinite = rows.some((r) => r.flags.includes('non-finite')) || activations.some((a) => a.nonFinite > 0) || (opts.loss !== undefined && !Number.isFinite(loss))
  if (opts.loss !== undefined && !Number.isFinite(loss)) findings.unshift(`non-finite: the loss is ${loss}`)
  return {
    loss, params: rows, activations, globalGradNorm,
    firstLayer: first?.path ?? null, lastLayer: last?.path ?? null, firstToLast,
    vanishing, exploding, nonFinite, findings, nanOrigin: null, thresholds: t,
  }
}

const split = <B>(r: Tensor | readonly [Tensor, B]): [Tensor, B | Record<string, never>] =>
  Array.isArray(r) ? [r[0] as Tensor, r[1] as B] : [r as Tensor, {}]

/**
 * Runs loss and gradient once with debugNans on (restored afterwards). Left: where the first NaN
 * or Infinity appeared; Right: the finite loss. Errors other than NON_FINITE propagate.
 *
 * @example
 * ```ts
 * import { tensor, sum, sqrt, type Tensor } from 'puregrad'
 * import { locateNonFinite } from 'puregrad/diagnostics'
 *
 * // sqrt is finite at 0, its gradient 1 / (2 sqrt(x)) is not.
 * const r = locateNonFinite((p: { x: Tensor }, _b: null) => sum(sqrt(p.x)), { x: tensor([0, 1]) }, null)
 * if (r._tag !== 'Left' || r.left.phase !== 'backward' || r.left.gradientOf !== 'sqrt') throw new Error('locateNonFinite')
 * ```
 */
export const locateNonFinite = <P, B>(loss: HealthLoss<P, B>, params: P, batch: B): E.Either<NanOrigin, number> => {
  const before = config.debugNans
  config.debugNans = true
  try {
    const [[value]] = valueAndGrad((p: P, b: B) => split(loss(p, b)), { hasAux: true })(params, batch)
    return E.right(value.item())
  } catch (e) {
    if (!(e instanceof PuregradError) || e.code !== 'NON_FINITE') throw e
    return E.left(nanOriginOf(e))
  } finally {
    config.debugNans = before
  }
}

/**
 * Reads the op, layer path and pass out of a NON_FINITE error (thrown under `setDebugNans(true)`).
 *
 * @example
 * ```ts
 * import { tensor, log, setDebugNans, PuregradError } from 'puregrad'
 * import { nanOriginOf } from 'puregrad/diagnostics'
 *
 * setDebugNans(true)
 * try {
 *   log(tensor([-1]))
 *   throw new Error('expected NON_FINITE')
 * } catch (e) {
 *   if (!(e instanceof PuregradError)) throw e
 *   const o = nanOriginOf(e)
 *   if (o.op !== 'log' || o.phase !== 'forward' || o.within !== null) throw new Error(o.message)
 * } finally {
 *   setDebugNans(false)
 * }
 * ```
 */
export const nanOriginOf = (e: PuregradError): NanOrigin => {
  const opPath = e.op ?? 'unknown'
  const cut = opPath.lastIndexOf('/')
  const gradientOf = /inside the gradient of (\S+)/.exec(e.detail)?.[1] ?? null
  return {
    op: cut < 0 ? opPath : opPath.slice(cut + 1),
    within: cut < 0 ? null : opPath.slice(0, cut),
    phase: /in the backward pass/.test(e.detail) ? 'backward' : 'forward',
    gradientOf,
    message: e.message,
  }
}

/**
 * The gradient-health report of `loss` at `params` on `batch` (see the module comment). The loss
 * may return `[loss, activations]` to have activations measured too.
 *
 * @throws PuregradError whatever the loss or its gradient throws (other than NON_FINITE while
 * locating a NaN).
 * @example
 * ```ts
 * import { tensor, matmul, mean, square, sub, type Tensor } from 'puregrad'
 * import { gradientHealth } from 'puregrad/diagnostics'
 *
 * type Params = { w: Tensor }
 * const loss = (p: Params, b: { x: Tensor; y: Tensor }): Tensor => mean(square(sub(matmul(b.x, p.w), b.y)))
 * const batch = { x: tensor([[1, 2], [3, 4]]), y: tensor([[1], [2]]) }
 * const r = gradientHealth(loss, { w: tensor([[0.5], [0.25]]) }, batch, { learningRate: 0.01 })
 * if (r.params[0].path !== 'params.w' || r.vanishing || r.exploding || r.params[0].updateToWeight === null) throw new Error(r.findings.join())
 * ```
 */
export const gradientHealth = <P, B, S = unknown>(
  loss: HealthLoss<P, B>, params: P, batch: B, opts: HealthOptions<P, S> = {},
): HealthReport => {
  const [[value, acts], grads] = valueAndGrad((p: P, b: B) => split(loss(p, b)), { hasAux: true })(params, batch)
  const report = healthFromGrads(params, grads as P, { ...opts, loss: value.item(), activations: acts as Activations })
  if (!report.nonFinite || opts.locateNans === false) return report
  const where = locateNonFinite(loss, params, batch)
  if (E.isRight(where)) return report
  const o = where.left
  const at = `${o.op}${o.within === null ? '' : ` in ${o.within}`}`
  const finding = o.phase === 'forward'
    ? `first non-finite value: produced by ${at} in the forward pass`
    : `first non-finite value: produced in the backward pass by the gradient of ${o.gradientOf ?? '?'} (op ${at})`
  return { ...report, nanOrigin: o, findings: [...report.findings, finding] }
}
