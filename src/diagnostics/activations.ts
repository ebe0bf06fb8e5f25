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

export type ActivationKind = 'relu' | 'sigmoid' | 'tanh' | 'other'

export interface Observed {
  readonly kind: ActivationKind
  /** The activation's output, batch on axis 0. */
  readonly value: Tensor
}

/** Activations by name, in the order they should be reported. */
export type Activations = Readonly<Record<string, Observed>>

export const observed = (kind: ActivationKind, value: Tensor): Observed => ({ kind, value })

const KINDS: Readonly<Record<string, ActivationKind>> = { relu: 'relu', sigmoid: 'sigmoid', tanh: 'tanh' }

/** The kind of an activation layer from its name (`activation(relu)` is named 'relu'). */
export const kindOfLayer = (layer: AnyLayer): ActivationKind | null => KINDS[layer.name] ?? null

/**
 * Applies `layers` in order to `x` with `params` and `state` laid out as `sequential(...layers)`
 * lays them out (one entry per layer), and returns `[y, newState, activations]`; the outputs of
 * the activation layers named relu, sigmoid or tanh are keyed `layers[i] <name>`.
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

export type ActivationFlag = 'dead-relu' | 'saturated' | 'non-finite'

export interface ActivationHealth {
  readonly name: string
  readonly kind: ActivationKind
  readonly shape: readonly number[]
  /** Units per example: the product of the non-batch axes. */
  readonly units: number
  readonly mean: number
  readonly std: number
  /** relu: the fraction of units that are 0 for every example; null for other kinds. */
  readonly deadFraction: number | null
  /** sigmoid, tanh: the fraction of outputs in the saturated range; null for other kinds. */
  readonly saturatedFraction: number | null
  readonly nonFinite: number
  readonly flags: readonly ActivationFlag[]
}

/** The statistics of one observed activation (read to the host). */
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

/** The statistics of every observed activation, in the record's order. */
export const activationHealth = (acts: Activations, t: Thresholds = DEFAULT_THRESHOLDS): ActivationHealth[] =>
  Object.entries(acts).map(([name, obs]) => measureActivation(name, obs, t))
