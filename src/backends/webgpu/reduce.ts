/**
 * Reductions and scans of the webgpu backend: sum and max over a set of axes (one thread per
 * output element, walking the reduced axes), argmax along one axis (first maximum; a NaN beats
 * everything and the first NaN wins, as numpy) and cumsum (one thread per lane, either direction).
 * Float sums add in blocks of 64 so the rounding error grows with n/64 + 64, not n.
 */

import type { Kernel } from '../backend.js'
import { sizeOf, spanSize, stridesOf } from '../js/strides.js'
import { coalesce, wgslType } from './elementwise.js'
import type { GpuData, Runtime } from './runtime.js'
import { io, MAIN_1D, PRELUDE } from './wgsl-math.js'

/**
 * The offset of multi-index `r` of a sub-shape stored at pm[at..] (rank, then shape, then strides).
 * Reductions split the input's axes in two such sub-shapes: kept and reduced.
 */
const SUB_OFFSET = /* wgsl */ `
fn sub_off(at: u32, r0: u32) -> u32 {
  let rank = pm[at];
  var rem = r0;
  var o = 0u;
  for (var d = rank; d > 0u; d = d - 1u) {
    let dim = pm[at + d];
    o = o + (rem % dim) * pm[at + rank + d];
    rem = rem / dim;
  }
  return o;
}`

const reduceShader = (kind: 'sum' | 'max', t: string) => (chunks: number): string => {
  const isF = t === 'f32'
  const init = kind === 'sum' ? `${t}(0)` : isF ? '-inf_f()' : '-2147483647 - 1'
  const fold = kind === 'sum'
    ? 'part = part + v; if ((r & 63u) == 63u) { acc = acc + part; part = 0; }'
    : isF ? 'if (v > acc || (is_nan(v) && !is_nan(acc))) { acc = v; }' : 'acc = max(acc, v);'
  // An empty int32 max is 0: JavaScript stores -Infinity into an Int32Array as 0.
  const empty = kind === 'max' && !isF ? 'if (nr == 0u) { acc = 0; }' : ''
  return `${PRELUDE}${SUB_OFFSET}
${io([t], t, chunks)}
${MAIN_1D}
  let nr = pm[1];
  let base = sub_off(2u, i);
  let red = 3u + 2u * pm[2];
  var acc: ${t} = ${init};
  var part: ${t} = ${t}(0);
  for (var r = 0u; r < nr; r = r + 1u) {
    let v = x0(base + sub_off(red, r));
    ${fold}
  }
  ${kind === 'sum' ? 'acc = acc + part;' : ''}
  ${empty}
  sty(i, acc);
}`
}

/** meta: [nOut, nReduced, kept rank, kept shape, kept strides, reduced rank, reduced shape, reduced strides]. */
const reduceMeta = (shape: readonly number[], axes: readonly number[]): number[] => {
  const strides = stridesOf(shape)
  const pick = (keep: boolean): [number[], number[]] => {
    const ds = shape.map((_, d) => d).filter((d) => axes.includes(d) !== keep)
    const [s, [st]] = coalesce(ds.map((d) => shape[d]), [ds.map((d) => strides[d])])
    return [s, st]
  }
  const [ks, kst] = pick(true)
  const [rs, rst] = pick(false)
  return [sizeOf(ks), sizeOf(rs), ks.length, ...ks, ...kst, rs.length, ...rs, ...rst]
}

const argmaxShader = (t: string) => (chunks: number): string => `${PRELUDE}
${io([t], 'i32', chunks)}
${MAIN_1D}
  let n = pm[1];
  let inner = pm[2];
  let base = (i / inner) * n * inner + i % inner;
  if (n == 0u) { sty(i, 0); return; }
  var best = x0(base);
  var bi = 0u;
  for (var j = 1u; j < n; j = j + 1u) {
    let v = x0(base + j * inner);
    if (${t === 'f32' ? 'v > best || (is_nan(v) && !is_nan(best))' : 'v > best'}) { best = v; bi = j; }
  }
  sty(i, i32(bi));
}`

const cumsumShader = (t: string) => (chunks: number): string => `${PRELUDE}
${io([t], t, chunks)}
${MAIN_1D}
  let n = pm[1];
  let inner = pm[2];
  let rev = pm[3] != 0u;
  let base = (i / inner) * n * inner + i % inner;
  var acc: ${t} = ${t}(0);
  for (var s = 0u; s < n; s = s + 1u) {
    let j = select(s, n - 1u - s, rev);
    let o = base + j * inner;
    acc = acc + x0(o);
    sty(o, acc);
  }
}`

type Table = { [P in 'sum' | 'max' | 'argmax' | 'cumsum']: Kernel<P, GpuData> }

export const reduceKernels = (rt: Runtime): Table => {
  const reduction = <P extends 'sum' | 'max'>(kind: P): Kernel<P, GpuData> => (inputs, params, out) => {
    const x = inputs[0]
    const n = sizeOf(out.shape)
    const y = rt.alloc(n)
    if (n === 0) return y
    const t = wgslType(x.dtype)
    rt.dispatch(kind, `${kind}:${x.dtype}`, reduceShader(kind, t), reduceMeta(x.shape, params.axes), [x.data], y)
    return y
  }
  /** [lanes, axis length, inner size] for a one-axis walk. */
  const lanes = (shape: readonly number[], axis: number): [number, number, number] => {
    const outer = spanSize(shape, 0, axis)
    const inner = spanSize(shape, axis + 1, shape.length)
    return [outer * inner, shape[axis], inner]
  }
  return {
    sum: reduction('sum'),
    max: reduction('max'),
    argmax: (inputs, params, out) => {
      const x = inputs[0]
      const [count, n, inner] = lanes(x.shape, params.axis)
      const y = rt.alloc(sizeOf(out.shape))
      if (count === 0) return y
      rt.dispatch('argmax', `argmax:${x.dtype}`, argmaxShader(wgslType(x.dtype)), [count, n, inner], [x.data], y)
      return y
    },
    cumsum: (inputs, params) => {
      const x = inputs[0]
      const [count, n, inner] = lanes(x.shape, params.axis)
      const y = rt.alloc(sizeOf(x.shape))
      if (count === 0 || n === 0) return y
      rt.dispatch('cumsum', `cumsum:${x.dtype}`, cumsumShader(wgslType(x.dtype)), [count, n, inner, params.reverse ? 1 : 0], [x.data], y)
      return y
    },
  }
}
