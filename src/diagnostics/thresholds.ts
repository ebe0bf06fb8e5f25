/**
 * The thresholds behind every flag of the gradient-health report, as named constants (and the
 * `Thresholds` record that bundles them, overridable per call). The report prints the ones it
 * used, so a flag can always be traced to a number.
 *
 * Norms are Euclidean (L2) over all elements of a parameter; "first" and "last" layer are the
 * first and last weight leaves (rank >= 2) of the parameter record in leaf order.
 */

/** A parameter whose gradient norm is below this fraction of its own norm (||g|| / ||w||) is 'vanishing'. */
export const VANISHING_GRAD_TO_PARAM = 1e-5

/** The model is 'vanishing' when the first layer's gradient norm is below this fraction of the last's. */
export const VANISHING_FIRST_TO_LAST = 1e-3

/** A gradient norm above this (one parameter's, or the global norm over all) is 'exploding'. */
export const EXPLODING_GRAD_NORM = 1e3

/** The model is 'exploding' when the first layer's gradient norm exceeds the last's by this factor. */
export const EXPLODING_FIRST_TO_LAST = 1e3

/**
 * Update-to-weight ratio ||update|| / ||w|| (rule of thumb: about 1e-3 per step): below this the
 * parameter barely moves ('tiny-update': learning rate far too low, or vanishing gradients)...
 */
export const UPDATE_TO_WEIGHT_LOW = 1e-5

/** ...and above this a single step rewrites a tenth of the weights ('large-update'). */
export const UPDATE_TO_WEIGHT_HIGH = 1e-1

/** A ReLU unit (one position of the non-batch axes) is dead when it outputs 0 for every example. */
export const DEAD_RELU_FRACTION = 0.5

/** A sigmoid output within this distance of 0 or 1 is saturated (derivative < 0.0099). */
export const SIGMOID_SATURATION = 0.01

/** A tanh output with |y| above this is saturated (derivative 1 - y^2 < 0.0199). */
export const TANH_SATURATION = 0.99

/** An activation layer is flagged 'saturated' when more than this fraction of its outputs are. */
export const SATURATED_FRACTION = 0.5

/** Every threshold of the report, by name; each defaults to the constant of the same name. */
export interface Thresholds {
  /** `VANISHING_GRAD_TO_PARAM`. */
  readonly vanishingGradToParam: number
  /** `VANISHING_FIRST_TO_LAST`. */
  readonly vanishingFirstToLast: number
  /** `EXPLODING_GRAD_NORM`. */
  readonly explodingGradNorm: number
  /** `EXPLODING_FIRST_TO_LAST`. */
  readonly explodingFirstToLast: number
  /** `UPDATE_TO_WEIGHT_LOW`. */
  readonly updateToWeightLow: number
  /** `UPDATE_TO_WEIGHT_HIGH`. */
  readonly updateToWeightHigh: number
  /** Flag an activation layer 'dead-relu' when more than this fraction of its units are dead. */
  readonly deadReluFraction: number
  /** `SIGMOID_SATURATION`. */
  readonly sigmoidSaturation: number
  /** `TANH_SATURATION`. */
  readonly tanhSaturation: number
  /** `SATURATED_FRACTION`. */
  readonly saturatedFraction: number
}

/** The thresholds the report uses unless `HealthOptions.thresholds` overrides some: the constants above. */
export const DEFAULT_THRESHOLDS: Thresholds = Object.freeze({
  vanishingGradToParam: VANISHING_GRAD_TO_PARAM,
  vanishingFirstToLast: VANISHING_FIRST_TO_LAST,
  explodingGradNorm: EXPLODING_GRAD_NORM,
  explodingFirstToLast: EXPLODING_FIRST_TO_LAST,
  updateToWeightLow: UPDATE_TO_WEIGHT_LOW,
  updateToWeightHigh: UPDATE_TO_WEIGHT_HIGH,
  deadReluFraction: DEAD_RELU_FRACTION,
  sigmoidSaturation: SIGMOID_SATURATION,
  tanhSaturation: TANH_SATURATION,
  saturatedFraction: SATURATED_FRACTION,
})

/**
 * One line per threshold, as the report prints them.
 *
 * @example
 * ```ts
 * import { describeThresholds, DEFAULT_THRESHOLDS } from 'puregrad/diagnostics'
 *
 * const lines = describeThresholds({ ...DEFAULT_THRESHOLDS, explodingGradNorm: 50 })
 * if (lines.length !== 5 || !lines[1].includes('> 50')) throw new Error(lines.join('\n'))
 * ```
 */
export const describeThresholds = (t: Thresholds): string[] => [
  `vanishing: ||g||/||w|| < ${t.vanishingGradToParam} for a parameter, or first/last layer ||g|| < ${t.vanishingFirstToLast}`,
  `exploding: ||g|| > ${t.explodingGradNorm} for a parameter or globally, or first/last layer ||g|| > ${t.explodingFirstToLast}`,
  `update/weight: tiny below ${t.updateToWeightLow}, large above ${t.updateToWeightHigh} (healthy is about 1e-3)`,
  `dead ReLU: a unit that is 0 for the whole batch; flagged above ${t.deadReluFraction} of the units`,
  `saturated: sigmoid within ${t.sigmoidSaturation} of 0 or 1, |tanh| > ${t.tanhSaturation}; flagged above ${t.saturatedFraction} of the outputs`,
]
