/**
 * puregrad/diagnostics: gradient health. `gradientHealth(loss, params, batch, opts)` reports per
 * parameter the gradient and parameter norms, update-to-weight ratio and non-finite counts,
 * activation statistics (dead ReLUs, saturated sigmoid/tanh) for activations the loss returns,
 * flags vanishing and exploding gradients against named thresholds, and locates the first op that
 * produced a NaN. `formatHealthReport` renders it for a terminal, `gradNormSvg` plots per-layer
 * gradient norms (needs the optional vega and vega-lite packages).
 *
 * @packageDocumentation
 */

export {
  VANISHING_GRAD_TO_PARAM, VANISHING_FIRST_TO_LAST, EXPLODING_GRAD_NORM, EXPLODING_FIRST_TO_LAST,
  UPDATE_TO_WEIGHT_LOW, UPDATE_TO_WEIGHT_HIGH, DEAD_RELU_FRACTION, SIGMOID_SATURATION, TANH_SATURATION, SATURATED_FRACTION,
  DEFAULT_THRESHOLDS, describeThresholds, type Thresholds,
} from './thresholds.js'
export {
  observed, applyWithActivations, activationHealth, measureActivation, kindOfLayer,
  type ActivationKind, type Observed, type Activations, type ActivationHealth, type ActivationFlag,
} from './activations.js'
export {
  gradientHealth, healthFromGrads, locateNonFinite, nanOriginOf,
  type HealthLoss, type HealthReport, type HealthOptions, type ParamHealth, type ParamFlag, type NanOrigin,
} from './health.js'
export { formatHealthReport, table, type FormatOptions } from './report.js'
export { gradNormSpec, gradNormSvg, gradNormPoints, type GradNormSeries, type GradNormPlotOptions, type GradNormPoint } from './plot.js'
export { renderVegaLiteSvg } from './svg.js'
