/**
 * puregrad/laws: property-based checks that derivatives obey the laws of differentiation.
 * Arbitraries (fast-check) draw tensors and parameter records; predicates state the laws at one
 * point; properties quantify them over drawn points; runners throw a LawFailure (check*) or return
 * an fp-ts Either (verify*). See laws/README.md.
 *
 * @packageDocumentation
 */

export {
  arbShape, arbTensor, arbElement, arbLike, arbTangent, arbCotangent, allowedIntervals, type Interval,
  type ShapeArbOptions, type TensorArbOptions, type LeafArbOptions,
} from './arbitraries.js'
export {
  finiteOutput, jvpMatchesFiniteDifferences, vjpMatchesFiniteDifferences, vjpAdjointsJvp, gradMatchesJvp, jvpIsLinear,
  gradHasArgStructure, hvpMatchesFiniteDifferences, hessianIsSymmetric, stopGradientIsZero, customRuleMatchesReference,
  numericalJvp, type Differentiable, type FdTolerance, type Args,
} from './predicates.js'
export {
  gradsProperty, jvpFiniteDifferenceProperty, vjpFiniteDifferenceProperty, adjointProperty, gradMatchesJvpProperty,
  gradStructureProperty, jvpLinearProperty, hvpProperty, hessianSymmetricProperty, stopGradientProperty,
  customRuleProperty, lawProperties, type Unary, type SomeProperty, type Probe,
} from './properties.js'
export {
  checkGrads, verifyGrads, checkGradsProperty, verifyGradsProperty, checkLayer, verifyLayer, checkProperty, verifyProperty,
  type Result, type PropertyRunOptions, type PropertyCheckOptions, type LayerLike, type LayerSpec, type LayerContext,
} from './runners.js'
export { gradLawsAt, prepareArgs, resolveCheck, type GradCheckOptions, type Mode, type ResolvedCheck } from './check-grads.js'
export { LawFailure, LAW_NAMES, holds, type LawName, type Violation, type Verdict, type RunInfo, type FailureInfo } from './failure.js'
export {
  FD_TOLERANCE, EXACT_TOLERANCE, FD_EPS, DEFAULT_SEED, DEFAULT_RUNS, DEFAULT_MAX_SHRINKS, lawSeed, lawRuns,
  type FloatDType, type Tolerance,
} from './config.js'
export { describeTree, ravel, makeRng, randomLike, castTree, type Rng, type CheckDType } from './tree-math.js'
