/**
 * Movement and indexing kernels of the webgpu backend. Values are only copied, so these shaders
 * move 32-bit words and one pipeline serves float32, int32 and bool alike: transpose,
 * broadcastTo and slice are one strided gather; pad computes each output from its index; concat
 * writes every input into a strided window of the output; gather reads through the indices.
 * scatterAdd is written as a gather too (each output sums the updates whose index hits it), so it
 * needs no atomics and is deterministic. Reshape is the same memory under a new wrapper.
 *
 * Indices out of range cannot be thrown from a shader: gather reads 0 for them and scatterAdd
 * drops them, and both record the first one in the index-check flags, so the next read fails with
 * INDEX_OUT_OF_RANGE naming the op (index-checks.ts), where the JS backend throws at once.
 */

import type { Primitive } from '../../diff/primitives.js'
import type { Kernel } from '../backend.js'
import { broadcastStrides, sizeOf, spanSize, stridesOf } from '../js/strides.js'
import { coalesce, wgslType } from './elementwise.js'
import { CHECK_CODE, CHECK_WGSL } from './index-checks.js'
import type { GpuData, Runtime } from './runtime.js'
import { io, MAIN_1D, PRELUDE } from './wgsl-math.js'


/** y[i] = x[start + sum_d idx_d(i) * stride_d]; pm: [n, rank, start, shape..., strides...]. */
const STRIDED = (chunks: number): string => `${PRELUDE}${io(['u32'], 'u32', chunks)}
${MAIN_1D}
  let rank = pm[1];
  var rem = i;
  var o = pm[2];
  for (var d = rank; d > 0u; d = d - 1u) {
    let dim = pm[2u + d];
    o = o + (rem % dim) * pm[2u + rank + d];
    rem = rem / dim;
  }
  sty(i, x0(o));
}`

/** y[ostart + sum_d idx_d(i) * ostride_d] = x[i]; pm: [n, rank, ostart, in shape..., out strides...]. */
const WINDOW_WRITE = (chunks: number): string => STRIDED(chunks).replace('sty(i, x0(o));', 'sty(o, x0(i));')

/** pm: [n, rank, pad bits, out shape..., in shape..., before...]; x is row-major over in shape. */
const PAD = (chunks: number): string => `${PRELUDE}${io(['u32'], 'u32', chunks)}
${MAIN_1D}
  let rank = pm[1];
  var rem = i;
  var o = 0u;
  var scale = 1u;
  var inside = true;
  for (var d = rank; d > 0u; d = d - 1u) {
    let dim = pm[2u + d];
    let ix = i32(rem % dim) - i32(pm[2u + 2u * rank + d]);
    rem = rem / dim;
    let n = pm[2u + rank + d];
    if (ix < 0 || ix >= i32(n)) { inside = false; }
    o = o + u32(max(ix, 0)) * scale;
    scale = scale * n;
  }
  sty(i, select(pm[2], x0(o), inside));
}`

/** y[a, j, r] = x[a, idx[j], r]; pm: [n, axis length, index count, inner, axis]. */
const GATHER = (chunks: number): string => `${PRELUDE}${io(['u32', 'i32'], 'u32', chunks)}${CHECK_WGSL}
${MAIN_1D}
  let len = pm[1];
  let m = pm[2];
  let inner = pm[3];
  let r = i % inner;
  let t = i / inner;
  let ix = x1(t % m);
  let a = t / m;
  let ok = ix >= 0 && u32(ix) < len;
  if (!ok) { flag_index(${CHECK_CODE.gather}u, ix, len, pm[4]); }
  sty(i, select(0u, x0((a * len + select(0u, u32(ix), ok)) * inner + r), ok));
}`

/**
 * y[a, s, r] = sum over j with idx[j] == s of u[a, j, r]; pm: [n, size, index count, inner, axis].
 * Every thread sees every index, so each checks them (the flag keeps only the first report).
 */
const scatterShader = (t: string) => (chunks: number): string => `${PRELUDE}${io([t, 'i32'], t, chunks)}${CHECK_WGSL}
${MAIN_1D}
  let size = pm[1];
  let m = pm[2];
  let inner = pm[3];
  let r = i % inner;
  let s = i32((i / inner) % size);
  let a = i / inner / size;
  var acc: ${t} = ${t}(0);
  for (var j = 0u; j < m; j = j + 1u) {
    let ij = x1(j);
    if (ij == s) { acc = acc + x0((a * m + j) * inner + r); }
    if (ij < 0 || ij >= i32(size)) { flag_index(${CHECK_CODE.scatterAdd}u, ij, size, pm[4]); }
  }
  sty(i, acc);
}`

const f32Bits = new Float32Array(1)
const u32View = new Uint32Array(f32Bits.buffer)
const padBits = (value: number, dtype: string): number => {
  if (dtype === 'float32') { f32Bits[0] = value; return u32View[0] }
  if (dtype === 'bool') return value !== 0 ? 1 : 0
  return value >>> 0
}

type Ops = 'reshape' | 'transpose' | 'broadcastTo' | 'slice' | 'concat' | 'pad' | 'gather' | 'scatterAdd'

export const movementKernels = (rt: Runtime): { [P in Ops]: Kernel<P, GpuData> } => {
  /** Copies the strided view (shape, strides from `start`) of x into a fresh row-major buffer. */
  const strided = (op: Primitive, x: GpuData, shape: readonly number[], strides: readonly number[], start: number): GpuData => {
    const n = sizeOf(shape)
    const y = rt.alloc(n)
    if (n === 0) return y
    const [s, [st]] = coalesce(shape, [strides])
    rt.dispatch(op, 'strided', STRIDED, [n, s.length, start, ...s, ...st], [x], y)
    return y
  }
  return {
    reshape: (inputs) => rt.share(inputs[0].data, 'reshape'),
    transpose: (inputs, params, out) => {
      const xs = stridesOf(inputs[0].shape)
      return strided('transpose', inputs[0].data, out.shape, params.perm.map((p) => xs[p]), 0)
    },
    broadcastTo: (inputs, params) => strided('broadcastTo', inputs[0].data, params.shape, broadcastStrides(inputs[0].shape, params.shape), 0),
    slice: (inputs, params) => {
      const xs = stridesOf(inputs[0].shape)
      const start = params.begin.reduce((acc, b, d) => acc + b * xs[d], 0)
      return strided('slice', inputs[0].data, params.size, xs, start)
    },
    concat: (inputs, params, out) => {
      const y = rt.alloc(sizeOf(out.shape))
      const os = stridesOf(out.shape)
      let at = 0
      for (const x of inputs) {
        const n = sizeOf(x.shape)
        if (n > 0) {
          const [s, [st]] = coalesce(x.shape, [os])
          rt.dispatch('concat', 'window-write', WINDOW_WRITE, [n, s.length, at * os[params.axis], ...s, ...st], [x.data], y)
        }
        at += x.shape[params.axis]
      }
      return y
    },
    pad: (inputs, params, out) => {
      const x = inputs[0]
      const n = sizeOf(out.shape)
      const y = rt.alloc(n)
      if (n === 0) return y
      const meta = [n, out.shape.length, padBits(params.value, x.dtype), ...out.shape, ...x.shape, ...params.widths.map((w) => w[0])]
      rt.dispatch('pad', 'pad', PAD, meta, [x.data], y)
      return y
    },
    gather: (inputs, params, out) => {
      const [x, ix] = inputs
      const n = sizeOf(out.shape)
      const y = rt.alloc(n)
      if (n === 0) return y
      const inner = spanSize(x.shape, params.axis + 1, x.shape.length)
      rt.dispatch('gather', 'gather', GATHER, [n, x.shape[params.axis], sizeOf(ix.shape), inner, params.axis], [x.data, ix.data], y)
      return y
    },
    scatterAdd: (inputs, params, out) => {
      const [u, ix] = inputs
      const n = sizeOf(out.shape)
      const y = rt.alloc(n)
      if (n === 0) return y
      const inner = spanSize(out.shape, params.axis + 1, out.shape.length)
      rt.dispatch('scatterAdd', `scatterAdd:${out.dtype}`, scatterShader(wgslType(out.dtype)), [n, params.size, sizeOf(ix.shape), inner, params.axis], [u.data, ix.data], y)
      return y
    },
  }
}
