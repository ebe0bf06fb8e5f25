/**
 * Activation statistics without mutation. A model exposes the activations it wants checked by
 * returning them next to its loss, as `[loss, activations]` (grad's `hasAux` shape), where
 * `activations` is a record of `observed(kind, value)`; nothing is recorded behind the caller's
 * back. `applyWithActivations` does this for a list of layers (the arguments of `sequential`):
 * it runs them exactly as `sequential` does and returns every activation layer's output.
 *
 * `activationHealth` then measures, per observed tensor: dead ReLU units (a unit is one position
 * of the non-batch axes; it is dead when it is 0 for every example of the batch), saturated
 * sigmoid / tanh outputs, and non-finite values.
 */

import type { Tensor } from '../core/tensor.js'
import { foldIn } from '../random/key.js'
import type { AnyLayer, ApplyContext } from '../layers/layer.js'
import { DEFAULT_THRESHOLDS, type Thresholds } from './thresholds.js'

/** Which statistics apply to an observed activation: dead units (relu), saturation (sigmoid, tanh), or neither. */
export type ActivationKind = 'relu' | 'sigmoid' | 'tanh' | 'other'

/** An activation a loss hands to the report: its kind and its output. */
export interface Observed {
  readonly kind: ActivationKind
  /** The activation's output, batch on axis 0. */
  readonly value: Tensor
}

/** Activations by name, in the order they should be reported. */
export type Activations = Readonly<Record<string, Observed>>

/**
 * Marks a tensor as an activation of `kind` for the report: return a record of these next to the
 * loss (`[loss, { hidden: observed('relu', h) }]`).
 *
 * @example
 * ```ts
 * import { tensor, matmul, relu, sum, type Tensor } from 'puregrad'
 * import { observed, gradientHealth } from 'puregrad/diagnostics'
 *
 * const loss = (p: { w: Tensor }, x: Tensor) => {
 *   const h = relu(matmul(x, p.w))
 *   return [sum(h), { hidden: observed('relu', h) }] as const
 * }
 * const r = gradientHealth(loss, { w: tensor([[1, -1]]) }, tensor([[1], [2]]))
 * if (r.activations[0].name !== 'hidden' || r.activations[0].deadFraction !== 0.5) throw new Error('one of two units is dead')
 * ```
 */
export const observed = (kind: ActivationKind, value: Tensor): Observed => ({ kind, value })

const KINDS: Readonly<Record<string, ActivationKind>> = { relu: 'relu', sigmoid: 'sigmoid', tanh: 'tanh' }

/**
 * The kind of an activation layer from its name (`activation(relu)` is named 'relu', and so are
 * `activation(sigmoid)` and `activation(tanh)` after their functions); null for other layers. An
 * anonymous function gives a layer named 'activation': name it, `activation((x) => tanh(x), 'tanh')`.
 *
 * @example
 * ```ts
 * import { activation, relu, tanh, dense } from 'puregrad/layers'
 * import { kindOfLayer } from 'puregrad/diagnostics'
 *
 * if (kindOfLayer(activation(relu)) !== 'relu' || kindOfLayer(dense(3)) !== null) throw new Error('kindOfLayer')
 * if (kindOfLayer(activation(tanh)) !== 'tanh' || kindOfLayer(activation((x) => tanh(x))) !== null) throw new Error('tanh layers')
 * if (kindOfLayer(activation((x) => tanh(x), 'tanh')) !== 'tanh') throw new Error('a named tanh layer')
 * ```
 */
export const kindOfLayer = (layer: AnyLayer): ActivationKind | null => KINDS[layer.name] ?? null

/**
 * Applies `layers` in order to `x` with `params` and `state` laid out as `sequential(...layers)`
 * lays them out (one entry per layer), and returns `[y, newState, activations]`; the outputs of
 * the activation layers named relu, sigmoid or tanh are keyed `layers[i] <name>`.
 *
 * @throws PuregradError whatever the layers' apply throws.
 * @example
 * ```ts
 * import { ones } from 'puregrad'
 * import { sequential, dense, activation, relu, key } from 'puregrad/layers'
 * import { applyWithActivations } from 'puregrad/diagnostics'
 *
 * const layers = [dense(4), activation(relu), dense(2)] as const
 * const { params, state } = sequential(...layers).init(key(0), [3])
 * const [y, , acts] = applyWithActivations(layers, params, state, ones([5, 3]))
 * if (y.shape.join() !== '5,2' || Object.keys(acts).join() !== 'layers[1] relu') throw new Error(Object.keys(acts).join())
 * ```
 */
export const applyWithActivations = (
  layers: readonly AnyLayer[], params: readonly unknown[], state: readonly unknown[], x: Tensor, ctx: ApplyContext = {},
): [Tensor, unknown[], Activations] => {
  const acts: Record<string, Observed> = {}
  const next: unknown[] = []
  let y = x
  layers.forEach((l, i) => {
    const c = ctx.key === undefined ? ctx : { ...ctx, key: foldIn(ctx.key, i) }
    const [out, s] = l.apply(params[i], state[i], y, c)
    y = out
    next.push(s)
    const kind = kindOfLayer(l)
    if (kind !== null) acts[`layers[${i}] ${l.name}`] = observed(kind, out)
  })
  return [y, next, acts]
}

/** What the report flags about an activation. */
export type ActivationFlag = 'dead-relu' | 'saturated' | 'non-finite'

/** The statistics of one observed activation (finite values only in mean and std). */
export interface ActivationHealth {
  /** Its key in the activations record. */
  readonly name: string
  readonly kind: ActivationKind
  readonly shape: readonly number[]
  /** Units per example: the product of the non-batch axes. */
  readonly units: number
  /** Mean of the finite values (NaN when there are none). */
  readonly mean: number
  /** Population standard deviation of the finite values. */
  readonly std: number
  /** relu: the fraction of units that are 0 for every example; null for other kinds. */
  readonly deadFraction: number | null
  /** sigmoid, tanh: the fraction of outputs in the saturated range; null for other kinds. */
  readonly saturatedFraction: number | null
  /** How many values are NaN or infinite. */
  readonly nonFinite: number
  readonly flags: readonly ActivationFlag[]
}

/**
 * The statistics of one observed activation (read to the host), flagged against `t`.
 *
 * @example
 * ```ts
 * import { tensor } from 'puregrad'
 * import { measureActivation, observed } from 'puregrad/diagnostics'
 *
 * const h = measureActivation('gate', observed('sigmoid', tensor([[0.001, 0.999], [0.5, 0.9999]])))
 * if (h.saturatedFraction !== 0.75 || !h.flags.includes('saturated')) throw new Error(`${h.saturatedFraction}`)
 * ```
 */
export const measureActivation = (name: string, obs: Observed, t: Thresholds = DEFAULT_THRESHOLDS): ActivationHealth => {
  const v = obs.value.dataSync()
  const shape = obs.value.shape
  const batch = shape.length === 0 ? 1 : shape[0]
  const units = batch === 0 ? 0 : v.length / batch
  let sum = 0, sq = 0, finite = 0, nonFinite = 0, saturated = 0
  const alive = obs.kind === 'relu' ? new Uint8Array(units) : null
  for (let i = 0; i < v.length; i++) {
    const x = v[i]
    if (!Number.isFinite(x)) { nonFinite++; continue }
    finite++
    sum += x
    sq += x * x
    if (alive !== null && x > 0) alive[i % units] = 1
    if (obs.kind === 'sigmoid' && (x < t.sigmoidSaturation || x > 1 - t.sigmoidSaturation)) saturated++
    if (obs.kind === 'tanh' && Math.abs(x) > t.tanhSaturation) saturated++
  }
  const mean = finite === 0 ? Number.NaN : sum / finite
  const std = finite === 0 ? Number.NaN : Math.sqrt(Math.max(0, sq / finite - mean * mean))
  let deadFraction: number | null = null
  if (alive !== null) {
    let dead = 0
    for (let u = 0; u < units; u++) if (alive[u] === 0) dead++
    deadFraction = units === 0 ? 0 : dead / units
  }
  const saturatedFraction = obs.kind === 'sigmoid' || obs.kind === 'tanh' ? (v.length === 0 ? 0 : saturated / v.length) : null
  const flags: ActivationFlag[] = []
  if (deadFraction !== null && deadFraction > t.deadReluFraction) flags.push('dead-relu')
  if (saturatedFraction !== null && saturatedFraction > t.saturatedFraction) flags.push('saturated')
  if (nonFinite > 0) flags.push('non-finite')
  return { name, kind: obs.kind, shape, units, mean, std, deadFraction, saturatedFraction, nonFinite, flags }
}

/**
 * The statistics of every observed activation, in the record's order.
 *
 * @example
 * ```ts
 * import { tensor } from 'puregrad'
 * import { activationHealth, observed } from 'puregrad/diagnostics'
 *
 * const [a, b] = activationHealth({ h1: observed('relu', tensor([[0, 1], [0, 2]])), h2: observed('tanh', tensor([[NaN]])) })
 * if (a.deadFraction !== 0.5 || b.nonFinite !== 1 || !b.flags.includes('non-finite')) throw new Error('activationHealth')
 * ```
 */
export const activationHealth = (acts: Activations, t: Thresholds = DEFAULT_THRESHOLDS): ActivationHealth[] =>
  Object.entries(acts).map(([name, obs]) => measureActivation(name, obs, t))
