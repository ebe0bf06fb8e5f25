/**
 * The plain-JS reference backend: buffers are host typed arrays, every kernel is ordinary
 * JavaScript. It runs everywhere, supports every dtype, and is the baseline the other backends
 * are tested against.
 */

import { allocTyped, DTYPES, type DType, type TypedArray } from '../../core/dtype.js'
import type { Primitive } from '../../diff/primitives.js'
import type { Backend, BackendStats, Kernel, Kernels } from '../backend.js'
import { conv2d, conv2dBackFilter, conv2dBackInput } from './conv.js'
import { binaryKernel, cast, stopGradient, unaryKernel, where } from './elementwise.js'
import { gather, scatterAdd } from './indexing.js'
import { matmul } from './matmul.js'
import { broadcastTo, concat, pad, reshape, slice, transpose } from './movement.js'
import { avgPool, avgPoolGrad, maxPool, maxPoolScatter, maxPoolSelect } from './pool.js'
import { argmax, cumsum, max, sum } from './reduce.js'


/** The raw kernels, before instrumentation. The type forces one entry per primitive. */
export const jsKernels: Kernels<TypedArray> = {
  neg: unaryKernel('neg'), exp: unaryKernel('exp'), log: unaryKernel('log'), sin: unaryKernel('sin'),
  cos: unaryKernel('cos'), sqrt: unaryKernel('sqrt'), tanh: unaryKernel('tanh'), abs: unaryKernel('abs'),
  sign: unaryKernel('sign'), floor: unaryKernel('floor'), ceil: unaryKernel('ceil'), round: unaryKernel('round'),
  erf: unaryKernel('erf'), log1p: unaryKernel('log1p'), expm1: unaryKernel('expm1'),
  add: binaryKernel('add'), sub: binaryKernel('sub'), mul: binaryKernel('mul'), div: binaryKernel('div'),
  pow: binaryKernel('pow'), maximum: binaryKernel('maximum'), minimum: binaryKernel('minimum'),
  equal: binaryKernel('equal'), notEqual: binaryKernel('notEqual'), less: binaryKernel('less'),
  lessEqual: binaryKernel('lessEqual'), greater: binaryKernel('greater'), greaterEqual: binaryKernel('greaterEqual'),
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

/** Options of {@link createJsBackend}. */
export interface JsBackendOptions {
  /**
   * Count live bytes (FinalizationRegistry per buffer). Off by default: the JS heap reclaims
   * these buffers by itself, and registering every buffer costs about a fifth of the dispatch
   * time of small ops. Memory tests turn it on; without it `liveBytes()` is NaN.
   */
  readonly countBytes?: boolean
  /** The name to register it under. Default `'js'` (replacing the default backend when registered). */
  readonly name?: string
}

/**
 * Creates a plain-JavaScript backend: buffers are host typed arrays and every kernel is ordinary
 * JavaScript. It runs everywhere, supports all four dtypes, reads synchronously, and is the
 * reference the other backends are tested against. The default backend is one of these; make
 * another to count kernel calls or bytes apart, then {@link registerBackend} it.
 * @example
 * ```ts
 * import { add, createJsBackend, registerBackend, tensor, withBackend } from 'puregrad'
 * const counted = createJsBackend({ name: 'counted' })
 * registerBackend(counted)
 * withBackend('counted', () => add(tensor([1, 2]), 1))
 * counted.stats.kernelCalls.add // => 1
 * counted.capabilities.syncRead // => true
 * ```
 */
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
