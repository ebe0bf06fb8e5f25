/**
 * puregrad: functional, immutable automatic differentiation for TypeScript.
 * This entry exports tensors, ops, the differentiation transformations, parameter-record
 * utilities, backends and errors. Layers, optimizers and the law kit have their own entries.
 */

export { Tensor, isTensor, type TensorLike, type AxisOptions } from './core/tensor.js'
export type { DType, TypedArray } from './core/dtype.js'
export { PuregradError, ERROR_CODES, type ErrorCode } from './core/errors.js'
export { setDebugNans } from './core/config.js'
export type { Nested } from './core/nested.js'
export {
  tensor, scalar, zeros, ones, full, arange, linspace, eye, zerosLike, onesLike,
  type TensorOptions, type DTypeOption, type TensorData,
} from './core/constructors.js'

export {
  neg, exp, log, sin, cos, sqrt, tanh, abs, sign, floor, ceil, round, erf, log1p, expm1,
  add, sub, mul, div, pow, maximum, minimum,
  equal, notEqual, less, lessEqual, greater, greaterEqual, where,
  cast, stopGradient, square, reciprocal, logicalNot, logicalAnd, logicalOr, isFinite, isNaN,
} from './ops/elementwise.js'
export { sum, max, min, argmax, argmin, cumsum, mean, variance, std, type ArgOptions, type CumsumOptions } from './ops/reduce.js'
export { matmul, dot, outer, type MatmulOptions } from './ops/linalg.js'
export { reshape, transpose, broadcastTo, expandDims, squeeze, flatten, slice, concat, stack, split, pad } from './ops/movement.js'
export { gather, take, scatterAdd, oneHot } from './ops/indexing.js'
export { conv2d, maxPool2d, avgPool2d, type Conv2dOptions, type Pool2dOptions, type Padding } from './ops/conv.js'
export { relu, sigmoid, softmax, logSoftmax, logSumExp, clip, norm } from './ops/nn.js'

export { grad, valueAndGrad, vjp, jvp, type Argnums, type GradOf, type GradOptions } from './diff/transforms.js'
export { jacfwd, jacrev, hessian } from './diff/jacobian.js'
export { customVjp, customJvp } from './diff/custom.js'
export {
  registerTreeNode, treeFlatten, treeUnflatten, treeLeaves, treeLeavesWithPath, treeMap, treeZipWith,
  treeZipWithN, treeStructureEquals, type Tree, type TreeDef,
} from './diff/tree.js'
export { getGradMonoid, materialize, zeroGrad, type Accumulated } from './diff/accumulate.js'
export type { Primitive, PrimitiveParams } from './diff/primitives.js'

export type { Backend, BackendStats, Kernel, Kernels, KernelInput, KernelOutput } from './backends/backend.js'
export { registerBackend, setBackend, getBackend, listBackends, withBackend } from './backends/registry.js'
export { createJsBackend, type JsBackendOptions } from './backends/js/index.js'
export { toBackend, toBackendAsync } from './backends/transfer.js'
