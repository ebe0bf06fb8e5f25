/**
 * puregrad/optim: optimizers as values. A `GradientTransformation<P, S>` is `{ init, update }`
 * over parameter records P; its state S is a plain value derived from P; `chain` composes
 * transformations, `applyUpdates` adds the updates to the parameters. Optimizers (sgd, adam,
 * adamw, adamax, adagrad, rmsprop, lion) take a learning rate that may be a schedule; transforms
 * clip, decay, mask, skip non-finite steps and accumulate micro-batches; `earlyStopping` is a
 * pure state machine for the training loop.
 *
 * @packageDocumentation
 */

export {
  chain, applyUpdates, identity, setToZero, scale, scaleByLearningRate,
  type GradientTransformation, type EmptyState, type CountState, type AnyTransformation,
  type ParamsOf, type StateOf, type ChainParams, type ChainState,
} from './transformation.js'
export {
  constantSchedule, exponentialDecay, stepDecay, piecewiseConstantSchedule, piecewiseLinearSchedule, polynomialSchedule,
  linearSchedule, cosineDecaySchedule, warmupCosineDecaySchedule, joinSchedules, hyperAt,
  type Schedule, type Hyper, type ExponentialDecayOptions, type PolynomialScheduleOptions, type CosineDecayOptions,
  type WarmupCosineDecayOptions,
} from './schedules.js'
export { sgd, trace, type SgdOptions, type SgdState, type TraceState } from './sgd.js'
export {
  adam, adamw, adamax, scaleByAdam, scaleByAdamax,
  type AdamOptions, type AdamWOptions, type AdamState, type AdamaxState,
} from './adam.js'
export { adagrad, scaleByRss, type AdagradOptions, type AdagradState } from './adagrad.js'
export { rmsprop, scaleByRms, type RmspropOptions, type RmspropState } from './rmsprop.js'
export { lion, scaleByLion, type LionOptions, type LionState } from './lion.js'
export { clipByValue, clipByGlobalNorm, globalNorm } from './clip.js'
export { addDecayedWeights, proximalL1, softThreshold, type DecayOptions } from './decay.js'
export { skipNonFinite, type SkipNonFiniteOptions, type SkipNonFiniteState } from './skip.js'
export { multiSteps, type MultiStepsState } from './accumulate.js'
export { masked, type Mask, type MaskOf, type MaskRecord } from './mask.js'
export { earlyStopping, type EarlyStopping, type EarlyStoppingOptions, type EarlyStoppingState } from './early-stopping.js'
