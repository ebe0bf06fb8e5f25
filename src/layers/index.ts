/**
 * puregrad/layers: neural-network layers as pairs of pure functions (init, apply), combinators,
 * activations, losses, initializers and the functional PRNG they draw from.
 *
 * @packageDocumentation
 */

export type {
  Layer, Initialized, InitOptions, ApplyContext, Empty, AnyLayer, ParamsOf, StateOf,
} from './layer.js'
export { dense, type DenseOptions, type DenseParams, type DenseParamsNoBias, type DenseParamsFor } from './dense.js'
export {
  conv2d, maxPool2d, avgPool2d, globalAvgPool, flatten,
  type Conv2dLayerOptions, type Conv2dParams, type Conv2dParamsNoBias, type Conv2dParamsFor, type Pool2dLayerOptions, type Pair,
} from './conv.js'
export { dropout, dropoutFn } from './dropout.js'
export {
  batchNorm, layerNorm, rmsNorm,
  type BatchNormOptions, type BatchNormState, type NormParams, type LayerNormOptions, type RmsNormParams,
} from './norm.js'
export { embedding, type EmbeddingOptions, type EmbeddingParams } from './embedding.js'
export { scan, type ScanOptions } from './scan.js'
export {
  simpleRnnCell, lstmCell, gruCell, rnn, simpleRnn, lstm, gru,
  type Cell, type CellOptions, type RnnOptions, type SimpleRnnParams, type LstmParams, type LstmCarry, type GruParams,
} from './recurrent.js'
export {
  sequential, named, residual, activation,
  type SequentialParams, type SequentialState, type NamedParams, type NamedState,
} from './combinators.js'
export {
  sigmoid, tanh, relu, leakyRelu, elu, selu, softplus, swish, silu, mish, gelu, geluTanh, softmax, logSoftmax, logSumExp,
  SELU_ALPHA, SELU_SCALE, type GeluOptions,
} from './activations.js'
export {
  mse, mae, huber, binaryCrossEntropyWithLogits, softmaxCrossEntropy, klDivergence, hinge, l1Penalty, l2Penalty,
  type Reduction, type LossOptions, type HuberOptions,
} from './losses.js'
export * as initializers from './initializers.js'
export type { Initializer, FanMode, Distribution, VarianceScalingOptions, OrthogonalOptions } from './initializers.js'
export * as random from '../random/namespace.js'
export type {
  FloatDType, UniformOptions, NormalOptions, TruncatedNormalOptions, BernoulliOptions, PermutationOptions, CategoricalOptions,
} from '../random/index.js'
export { Key, key, split, foldIn } from '../random/index.js'
