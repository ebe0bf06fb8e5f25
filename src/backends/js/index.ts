/**
 * The plain-JS reference backend: buffers are host typed arrays, every kernel is ordinary
 * JavaScript. It runs everywhere, supports every dtype, and is the baseline the other backends
 * are tested against.
 */

import { allocTyped, DTYPES, type DType, type TypedArray } from '../../core/dtype.js'
import type { Primitive } from '../../diff/primitives.js'
import type { Backend, BackendStats, Kernel, Kernels } from '../backend.js'
import { conv2d, conv2dBackFilter, conv2dBackInput } from './conv.js'
import { BINARY_FNS, binaryKernel, cast, COMPARE_FNS, stopGradient, UNARY_FNS, unaryKernel, where } from './elementwise.js'
import { gather, scatterAdd } from './indexing.js'
import { matmul } from './matmul.js'
import { broadcastTo, concat, pad, reshape, slice, transpose } from './movement.js'
import { avgPool, avgPoolGrad, maxPool, maxPoolScatter, maxPoolSelect } from './pool.js'
import { argmax, cumsum, max, sum } from './reduce.js'

const u = UNARY_FNS
const b = BINARY_FNS
const c = COMPARE_FNS

/** The raw kernels, before instrumentation. The type forces one entry per primitive. */
export const jsKernels: Kernels<TypedArray> = {
  neg: unaryKernel(u.neg), exp: unaryKernel(u.exp), log: unaryKernel(u.log), sin: unaryKernel(u.sin),
  cos: unaryKernel(u.cos), sqrt: unaryKernel(u.sqrt), tanh: unaryKernel(u.tanh), abs: unaryKernel(u.abs),
  sign: unaryKernel(u.sign), floor: unaryKernel(u.floor), ceil: unaryKernel(u.ceil), round: unaryKernel(u.round),
  erf: unaryKernel(u.erf), log1p: unaryKernel(u.log1p), expm1: unaryKernel(u.expm1),
  add: binaryKernel(b.add), sub: binaryKernel(b.sub), mul: binaryKernel(b.mul), div: binaryKernel(b.div),
  pow: binaryKernel(b.pow), maximum: binaryKernel(b.maximum), minimum: binaryKernel(b.minimum),
  equal: binaryKernel(c.equal), notEqual: binaryKernel(c.notEqual), less: binaryKernel(c.less),
  lessEqual: binaryKernel(c.lessEqual), greater: binaryKernel(c.greater), greaterEqual: binaryKernel(c.greaterEqual),
  where,
  sum, max, argmax, cumsum,
  matmul,
  reshape, transpose, broadcastTo, slice, concat, pad,
  gather, scatterAdd,
  conv2d, conv2dBackInput, conv2dBackFilter,
  maxPool, maxPoolSelect, maxPoolScatter, avgPool, avgPoolGrad,
  cast, stopGradient,
}

type AnyKernel = Kernel<Primitive, TypedArray>

export interface JsBackendOptions {
  /**
   * Count live bytes (FinalizationRegistry per buffer). Off by default: the JS heap reclaims
   * these buffers by itself, and registering every buffer costs about a fifth of the dispatch
   * time of small ops. Memory tests turn it on; without it `liveBytes()` is NaN.
   */
  readonly countBytes?: boolean
  readonly name?: string
}

export function createJsBackend(opts: JsBackendOptions = {}): Backend<TypedArray> {
  const counting = opts.countBytes ?? false
  let calls: Partial<Record<Primitive, number>> = {}
  let live = 0
  // A buffer is counted once however many tensors share it (reshape and stopGradient hand back
  // their input), so membership is tracked per buffer.
  const tracked = new WeakSet<TypedArray>()
  const registry = new FinalizationRegistry<number>((bytes) => { live -= bytes })
  const track = (buf: TypedArray): TypedArray => {
    if (counting && !tracked.has(buf)) {
      tracked.add(buf)
      live += buf.byteLength
      registry.register(buf, buf.byteLength)
    }
    return buf
  }

  const instrument = (p: Primitive, k: AnyKernel): AnyKernel => (inputs, params, out) => {
    calls[p] = (calls[p] ?? 0) + 1
    return track(k(inputs, params, out))
  }
  const kernels = {} as Record<Primitive, AnyKernel>
  for (const p of Object.keys(jsKernels) as Primitive[]) kernels[p] = instrument(p, jsKernels[p] as AnyKernel)

  const stats: BackendStats = {
    get kernelCalls() { return calls },
    liveBytes: () => (counting ? live : NaN),
    reset: () => { calls = {} },
  }

  return {
    name: opts.name ?? 'js',
    dtypes: DTYPES,
    upload(values: TypedArray, dtype: DType): TypedArray {
      const buf = allocTyped(dtype, values.length)
      buf.set(values)
      return track(buf)
    },
    readSync: (data: TypedArray, _dtype: DType, size: number) => data.slice(0, size),
    read: (data: TypedArray, _dtype: DType, size: number) => Promise.resolve(data.slice(0, size)),
    kernels: kernels as unknown as Kernels<TypedArray>,
    stats,
    capabilities: { syncRead: true, threads: 1, simd: false },
  }
}
