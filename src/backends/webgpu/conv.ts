/**
 * Convolution (NHWC input, HWIO filter) and pooling kernels of the webgpu backend, one thread per
 * output element, each written as a gather so no two threads write the same place:
 * conv2dBackInput and conv2dBackFilter enumerate exactly the (output position, tap) pairs conv2d
 * uses, from the other side; maxPoolScatter lets every input element look at the windows that
 * contain it and take the gradient of those whose first maximum it is; avgPoolGrad likewise.
 * Padded positions are never part of a window (max of an empty window -Infinity, mean NaN),
 * matching the JS reference.
 */

import type { Conv2dParams, Pool2dParams, Primitive } from '../../diff/primitives.js'
import type { Kernel } from '../backend.js'
import { sizeOf } from '../js/strides.js'
import type { GpuData, Runtime } from './runtime.js'
import { io, MAIN_1D, PRELUDE } from './wgsl-math.js'

const IO2 = (chunks: number): string => io(['f32', 'f32'], 'f32', chunks)
const IO1 = (chunks: number): string => io(['f32'], 'f32', chunks)

// pm: [n, N, H, W, Ci, KH, KW, Co, OH, OW, sh, sw, dh, dw, top, left]
const CONV_HEAD = `
  let N = pm[1]; let H = i32(pm[2]); let W = i32(pm[3]); let Ci = pm[4];
  let KH = pm[5]; let KW = pm[6]; let Co = pm[7]; let OH = i32(pm[8]); let OW = i32(pm[9]);
  let sh = i32(pm[10]); let sw = i32(pm[11]); let dh = i32(pm[12]); let dw = i32(pm[13]);
  let top = i32(pm[14]); let left = i32(pm[15]);`

/** y[n,oh,ow,co] = sum x[n, oh*sh + kh*dh - top, ow*sw + kw*dw - left, ci] w[kh,kw,ci,co]; x0 = x, x1 = w. */
const CONV = (chunks: number): string => `${PRELUDE}${IO2(chunks)}
${MAIN_1D}${CONV_HEAD}
  let co = i % Co; var t = i / Co;
  let ow = i32(t % u32(OW)); t = t / u32(OW);
  let oh = i32(t % u32(OH)); let n = t / u32(OH);
  var acc = 0.0;
  for (var kh = 0u; kh < KH; kh = kh + 1u) {
    let ih = oh * sh + i32(kh) * dh - top;
    if (ih < 0 || ih >= H) { continue; }
    for (var kw = 0u; kw < KW; kw = kw + 1u) {
      let iw = ow * sw + i32(kw) * dw - left;
      if (iw < 0 || iw >= W) { continue; }
      let xb = ((n * u32(H) + u32(ih)) * u32(W) + u32(iw)) * Ci;
      let wb = (kh * KW + kw) * Ci * Co + co;
      for (var ci = 0u; ci < Ci; ci = ci + 1u) { acc = acc + x0(xb + ci) * x1(wb + ci * Co); }
    }
  }
  sty(i, acc);
}`

/** dx[n,ih,iw,ci] = sum over the taps that read it of dy[n,oh,ow,co] w[kh,kw,ci,co]; x0 = dy, x1 = w. */
const BACK_INPUT = (chunks: number): string => `${PRELUDE}${IO2(chunks)}
${MAIN_1D}${CONV_HEAD}
  let ci = i % Ci; var t = i / Ci;
  let iw = i32(t % u32(W)); t = t / u32(W);
  let ih = i32(t % u32(H)); let n = t / u32(H);
  var acc = 0.0;
  for (var kh = 0u; kh < KH; kh = kh + 1u) {
    let th = ih + top - i32(kh) * dh;
    if (th < 0 || th % sh != 0 || th / sh >= OH) { continue; }
    let oh = th / sh;
    for (var kw = 0u; kw < KW; kw = kw + 1u) {
      let tw = iw + left - i32(kw) * dw;
      if (tw < 0 || tw % sw != 0 || tw / sw >= OW) { continue; }
      let ow = tw / sw;
      let yb = ((n * u32(OH) + u32(oh)) * u32(OW) + u32(ow)) * Co;
      let wb = ((kh * KW + kw) * Ci + ci) * Co;
      for (var co = 0u; co < Co; co = co + 1u) { acc = acc + x0(yb + co) * x1(wb + co); }
    }
  }
  sty(i, acc);
}`

/** dw[kh,kw,ci,co] = sum over output positions of x[n,ih,iw,ci] dy[n,oh,ow,co]; x0 = x, x1 = dy. */
const BACK_FILTER = (chunks: number): string => `${PRELUDE}${IO2(chunks)}
${MAIN_1D}${CONV_HEAD}
  let co = i % Co; var t = i / Co;
  let ci = t % Ci; t = t / Ci;
  let kw = i32(t % KW); let kh = i32(t / KW);
  var acc = 0.0;
  for (var n = 0u; n < N; n = n + 1u) {
    for (var oh = 0; oh < OH; oh = oh + 1) {
      let ih = oh * sh + kh * dh - top;
      if (ih < 0 || ih >= H) { continue; }
      for (var ow = 0; ow < OW; ow = ow + 1) {
        let iw = ow * sw + kw * dw - left;
        if (iw < 0 || iw >= W) { continue; }
        acc = acc + x0(((n * u32(H) + u32(ih)) * u32(W) + u32(iw)) * Ci + ci)
                  * x1(((n * u32(OH) + u32(oh)) * u32(OW) + u32(ow)) * Co + co);
      }
    }
  }
  sty(i, acc);
}`

// pm: [n, N, H, W, C, OH, OW, wh, ww, sh, sw, top, left]
const POOL_HEAD = `
  let H = i32(pm[2]); let W = i32(pm[3]); let C = pm[4]; let OH = i32(pm[5]); let OW = i32(pm[6]);
  let wh = i32(pm[7]); let ww = i32(pm[8]); let sh = i32(pm[9]); let sw = i32(pm[10]);
  let top = i32(pm[11]); let left = i32(pm[12]);`

/**
 * The flat index into x of the first maximum of window (n, oh, ow) in channel c, or -1 when the
 * window has no valid position; a NaN beats every number and the first NaN wins.
 */
const WINDOW_ARGMAX = `
fn window_argmax(n: u32, oh: i32, ow: i32, c: u32) -> i32 {
  ${POOL_HEAD}
  let h0 = oh * sh - top; let w0 = ow * sw - left;
  var best = -1;
  var bv = 0.0;
  for (var ih = max(h0, 0); ih < min(H, h0 + wh); ih = ih + 1) {
    for (var iw = max(w0, 0); iw < min(W, w0 + ww); iw = iw + 1) {
      let at = i32(((n * u32(H) + u32(ih)) * u32(W) + u32(iw)) * C + c);
      let v = x0(u32(at));
      if (best < 0 || v > bv || (is_nan(v) && !is_nan(bv))) { best = at; bv = v; }
    }
  }
  return best;
}`

/** Decomposes output index i into (n, oh, ow, c) and finds its window's argmax. */
const OUT_WINDOW = `
  let C = pm[4]; let OH = pm[5]; let OW = pm[6];
  let c = i % C; var t = i / C;
  let ow = i32(t % OW); t = t / OW;
  let oh = i32(t % OH); let n = t / OH;
  let best = window_argmax(n, oh, ow, c);`

const MAX_POOL = (chunks: number): string => `${PRELUDE}${IO1(chunks)}${WINDOW_ARGMAX}
${MAIN_1D}${OUT_WINDOW}
  sty(i, select(-inf_f(), x0(u32(max(best, 0))), best >= 0));
}`

const MAX_POOL_SELECT = (chunks: number): string => `${PRELUDE}${IO2(chunks)}${WINDOW_ARGMAX}
${MAIN_1D}${OUT_WINDOW}
  sty(i, select(0.0, x1(u32(max(best, 0))), best >= 0));
}`

/** Loops (oh, ow) over the windows containing input element i = (n, ih, iw, c). */
const WINDOWS_OF_INPUT = `${POOL_HEAD}
  let c = i % C; var t = i / C;
  let iw = i32(t % u32(W)); t = t / u32(W);
  let ih = i32(t % u32(H)); let n = t / u32(H);
  var acc = 0.0;
  let ohLo = max(0, (ih + top - wh + sh) / sh); let ohHi = min(OH - 1, (ih + top) / sh);
  let owLo = max(0, (iw + left - ww + sw) / sw); let owHi = min(OW - 1, (iw + left) / sw);
  for (var oh = ohLo; oh <= ohHi; oh = oh + 1) {
    for (var ow = owLo; ow <= owHi; ow = ow + 1) {
      let o = ((n * u32(OH) + u32(oh)) * u32(OW) + u32(ow)) * C + c;`

const MAX_POOL_SCATTER = (chunks: number): string => `${PRELUDE}${IO2(chunks)}${WINDOW_ARGMAX}
${MAIN_1D}${WINDOWS_OF_INPUT}
      if (window_argmax(n, oh, ow, c) == i32(i)) { acc = acc + x1(o); }
    }
  }
  sty(i, acc);
}`

const COUNT = `
fn window_count(oh: i32, ow: i32) -> f32 {
  ${POOL_HEAD}
  let h0 = oh * sh - top; let w0 = ow * sw - left;
  let hs = max(0, min(H, h0 + wh) - max(0, h0));
  let ws = max(0, min(W, w0 + ww) - max(0, w0));
  return f32(hs * ws);
}`

const AVG_POOL = (chunks: number): string => `${PRELUDE}${IO1(chunks)}${COUNT}
${MAIN_1D}${POOL_HEAD}
  let c = i % C; var t = i / C;
  let ow = i32(t % u32(OW)); t = t / u32(OW);
  let oh = i32(t % u32(OH)); let n = t / u32(OH);
  let h0 = oh * sh - top; let w0 = ow * sw - left;
  var acc = 0.0;
  for (var ih = max(h0, 0); ih < min(H, h0 + wh); ih = ih + 1) {
    for (var iw = max(w0, 0); iw < min(W, w0 + ww); iw = iw + 1) {
      acc = acc + x0(((n * u32(H) + u32(ih)) * u32(W) + u32(iw)) * C + c);
    }
  }
  let cnt = window_count(oh, ow);
  sty(i, select(nan_f(), acc / cnt, cnt > 0.0));
}`

const AVG_POOL_GRAD = (chunks: number): string => `${PRELUDE}${IO1(chunks)}${COUNT}
${MAIN_1D}${WINDOWS_OF_INPUT}
      acc = acc + x0(o) / window_count(oh, ow);
    }
  }
  sty(i, acc);
}`

const convMeta = (n: number, x: readonly number[], w: readonly number[], y: readonly number[], p: Conv2dParams): number[] =>
  [n, x[0], x[1], x[2], x[3], w[0], w[1], w[3], y[1], y[2], p.strides[0], p.strides[1], p.dilations[0], p.dilations[1], p.pads[0], p.pads[2]]

const poolMeta = (n: number, x: readonly number[], y: readonly number[], p: Pool2dParams): number[] =>
  [n, x[0], x[1], x[2], x[3], y[1], y[2], p.window[0], p.window[1], p.strides[0], p.strides[1], p.pads[0], p.pads[2]]

type Ops = 'conv2d' | 'conv2dBackInput' | 'conv2dBackFilter' | 'maxPool' | 'maxPoolSelect' | 'maxPoolScatter' | 'avgPool' | 'avgPoolGrad'

export const convKernels = (rt: Runtime): { [P in Ops]: Kernel<P, GpuData> } => {
  const run = (op: Primitive, source: (chunks: number) => string, outShape: readonly number[], meta: (n: number) => number[], inputs: GpuData[]): GpuData => {
    const n = sizeOf(outShape)
    const y = rt.alloc(n)
    if (n > 0) rt.dispatch(op, op, source, meta(n), inputs, y)
    return y
  }
  return {
    conv2d: ([x, w], p, out) => run('conv2d', CONV, out.shape, (n) => convMeta(n, x.shape, w.shape, out.shape, p), [x.data, w.data]),
    conv2dBackInput: ([dy, w], p, out) =>
      run('conv2dBackInput', BACK_INPUT, out.shape, (n) => convMeta(n, p.inputShape, w.shape, dy.shape, p), [dy.data, w.data]),
    conv2dBackFilter: ([x, dy], p, out) =>
      run('conv2dBackFilter', BACK_FILTER, out.shape, (n) => convMeta(n, x.shape, p.filterShape, dy.shape, p), [x.data, dy.data]),
    maxPool: ([x], p, out) => run('maxPool', MAX_POOL, out.shape, (n) => poolMeta(n, x.shape, out.shape, p), [x.data]),
    maxPoolSelect: ([x, t], p, out) => run('maxPoolSelect', MAX_POOL_SELECT, out.shape, (n) => poolMeta(n, x.shape, out.shape, p), [x.data, t.data]),
    maxPoolScatter: ([x, g], p, out) =>
      run('maxPoolScatter', MAX_POOL_SCATTER, out.shape, (n) => poolMeta(n, x.shape, g.shape, p), [x.data, g.data]),
    avgPool: ([x], p, out) => run('avgPool', AVG_POOL, out.shape, (n) => poolMeta(n, x.shape, out.shape, p), [x.data]),
    avgPoolGrad: ([g], p, out) => run('avgPoolGrad', AVG_POOL_GRAD, out.shape, (n) => poolMeta(n, p.inputShape, g.shape, p), [g.data]),
  }
}
