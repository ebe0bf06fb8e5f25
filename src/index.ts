/**
 * puregrad: functional, immutable automatic differentiation for TypeScript.
 * This entry exports tensors, ops, the differentiation transformations, parameter-record
 * utilities, backends and errors. Layers, optimizers and the law kit have their own entries.
 *
 * Conventions shared by every op, so each op's page lists only its own errors:
 * - Ops are pure functions of immutable tensors; a JS number next to a tensor takes its dtype.
 * - Binary ops broadcast with numpy's rules and need operands of one dtype: nothing is converted
 *   implicitly (use `cast`).
 * - Axes are integers in [-rank, rank); negative axes count from the end.
 * - Every error is a `PuregradError` with a stable `code`: an argument of the wrong kind (not a
 *   tensor, not an integer, malformed options) is `INVALID_ARGUMENT`; operands on different
 *   backends are `BACKEND_MISMATCH`; a dtype the current backend lacks is `UNSUPPORTED_DTYPE`; a
 *   result of more than 2^31 - 1 elements is `OUT_OF_MEMORY`; a value traced by a finished
 *   transformation is `ESCAPED_TRACER`; with `setDebugNans(true)`, a NaN or Infinity result is
 *   `NON_FINITE`. Inside `grad`, messages name the parameter path of a bad operand (`params.w`).
 *
 * @packageDocumentation
 */

export { Tensor, isTensor, type TensorLike, type AxisOptions } from './core/tensor.js'
export type { DType, TypedArray, TypedArrayFor } from './core/dtype.js'
export type { Shape } from './core/shape.js'
export { PuregradError, ERROR_CODES, type ErrorCode } from './core/errors.js'
export { setDebugNans } from './core/config.js'
export type { Nested } from './core/nested.js'
export {
  tensor, scalar, zeros, ones, full, arange, linspace, eye, zerosLike, onesLike,
  type TensorOptions, type DTypeOption, type TensorData,
} from './core/constructors.js'

export {
  neg, exp, log, sin, cos, sqrt, tanh, abs, sign, floor, ceil, round, erf, log1p, expm1,
  add, sub, mul, div, pow, maximum, minimum, cast, stopGradient,
} from './ops/elementwise.js'
export { equal, notEqual, less, lessEqual, greater, greaterEqual, where } from './ops/compare.js'
export { square, reciprocal, logicalNot, logicalAnd, logicalOr, isFinite, isNaN } from './ops/elementwise-derived.js'
export { sum, max, min, argmax, argmin, cumsum, mean, variance, std, type ArgOptions, type CumsumOptions } from './ops/reduce.js'
export { matmul, dot, outer, type MatmulOptions } from './ops/linalg.js'
export { reshape, transpose, broadcastTo, expandDims, squeeze, flatten, slice, concat, stack, split, pad } from './ops/movement.js'
export { gather, take, scatterAdd, oneHot } from './ops/indexing.js'
export { conv2d, maxPool2d, avgPool2d, type Conv2dOptions, type Pool2dOptions, type Padding, type Pair } from './ops/conv.js'
export { relu, sigmoid, softmax, logSoftmax, logSumExp, clip, norm } from './ops/nn.js'

export { grad, valueAndGrad, vjp, jvp, type Argnums, type GradOf, type GradOptions, type WithAux } from './diff/transforms.js'
export { jacfwd, jacrev, hessian } from './diff/jacobian.js'
export { customVjp, customJvp } from './diff/custom.js'
export {
  registerTreeNode, treeFlatten, treeUnflatten, treeLeaves, treeLeavesWithPath, treeMap, treeZipWith,
  treeZipWithN, treeStructureEquals, type Tree, type TreeDef,
} from './diff/tree.js'
export { getGradMonoid, materialize, zeroGrad, type Accumulated } from './diff/accumulate.js'
export type { Primitive, PrimitiveParams, PrimitiveTable, NoParams, Conv2dParams, Pool2dParams } from './diff/primitives.js'

export type { Backend, BackendStats, Kernel, Kernels, KernelInput, KernelOutput } from './backends/backend.js'
export { registerBackend, setBackend, getBackend, listBackends, withBackend } from './backends/registry.js'
export { createJsBackend, type JsBackendOptions } from './backends/js/index.js'
export { toBackend, toBackendAsync } from './backends/transfer.js'
