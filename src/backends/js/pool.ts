/**
 * 2-D pooling of the JS backend (NHWC) and the linear maps its derivatives need. Padded
 * positions are never part of a window: they cannot be a max and do not count in an average.
 * Max pooling is computed once as "which input element won each window" (`windowArgmax`), so
 * maxPool, maxPoolSelect and maxPoolScatter agree on the winner by construction.
 */

import { allocTyped, type DType, type TypedArray } from '../../core/dtype.js'
import type { Pool2dParams } from '../../diff/primitives.js'
import type { Kernel } from '../backend.js'

interface Geometry { N: number; H: number; W: number; C: number; OH: number; OW: number }

const geometry = (x: readonly number[], y: readonly number[]): Geometry =>
  ({ N: x[0], H: x[1], W: x[2], C: x[3], OH: y[1], OW: y[2] })

/**
 * Calls visit(yBase, xBase, first) for every valid window position, where yBase is the flat
 * offset of y[n,oh,ow,0], xBase that of x[n,ih,iw,0], and `first` marks the window's first valid
 * position. Windows wholly in the padding get one call with xBase = -1 so callers can still
 * initialise their output.
 */
const forEachWindowPos = (
  g: Geometry,
  p: Pool2dParams,
  visit: (yBase: number, xBase: number, first: boolean) => void,
): void => {
  const [wh, ww] = p.window
  const [sh, sw] = p.strides
  const top = p.pads[0]
  const left = p.pads[2]
  const { N, H, W, C, OH, OW } = g
  for (let n = 0; n < N; n++) {
    for (let oh = 0; oh < OH; oh++) {
      const h0 = oh * sh - top
      const hLo = Math.max(0, h0)
      const hHi = Math.min(H, h0 + wh)
      for (let ow = 0; ow < OW; ow++) {
        const w0 = ow * sw - left
        const wLo = Math.max(0, w0)
        const wHi = Math.min(W, w0 + ww)
        const yBase = ((n * OH + oh) * OW + ow) * C
        let first = true
        for (let ih = hLo; ih < hHi; ih++) {
          for (let iw = wLo; iw < wHi; iw++) {
            visit(yBase, ((n * H + ih) * W + iw) * C, first)
            first = false
          }
        }
        if (first) visit(yBase, -1, true)
      }
    }
  }
}

/**
 * For every output element, the flat index into x of its window's max, or -1 for a window with
 * no valid position. Ties go to the first position in row-major window order (strict >); a NaN
 * beats every number and the first NaN wins, matching argmax.
 */
const windowArgmax = (x: TypedArray, xShape: readonly number[], yShape: readonly number[], p: Pool2dParams): Int32Array => {
  const g = geometry(xShape, yShape)
  const C = g.C
  const arg = new Int32Array(g.N * g.OH * g.OW * C)
  forEachWindowPos(g, p, (yBase, xBase, first) => {
    if (xBase < 0) {
      arg.fill(-1, yBase, yBase + C)
    } else if (first) {
      for (let c = 0; c < C; c++) arg[yBase + c] = xBase + c
    } else {
      for (let c = 0; c < C; c++) {
        const v = x[xBase + c]
        const b = x[arg[yBase + c]]
        if (v > b || (v !== v && b === b)) arg[yBase + c] = xBase + c
      }
    }
  })
  return arg
}

/** Windows with no valid position produce -Infinity (the max of nothing), as `max` does. */
export const maxPool: Kernel<'maxPool', TypedArray> = (inputs, params, out) => {
  const x = inputs[0].data
  const arg = windowArgmax(x, inputs[0].shape, out.shape, params)
  const y = allocTyped(out.dtype, arg.length)
  for (let i = 0; i < arg.length; i++) y[i] = arg[i] < 0 ? -Infinity : x[arg[i]]
  return y
}

/** y[o] = t[argmax of window o]: the tangent of max pooling. Empty windows give 0. */
export const maxPoolSelect: Kernel<'maxPoolSelect', TypedArray> = (inputs, params, out) => {
  const t = inputs[1].data
  const arg = windowArgmax(inputs[0].data, inputs[0].shape, out.shape, params)
  const y = allocTyped(out.dtype, arg.length)
  for (let i = 0; i < arg.length; i++) if (arg[i] >= 0) y[i] = t[arg[i]]
  return y
}

/** dx[argmax of window o] += g[o]: the transpose of maxPoolSelect in t. */
export const maxPoolScatter: Kernel<'maxPoolScatter', TypedArray> = (inputs, params, out) => {
  const X = inputs[0]
  const gr = inputs[1].data
  const arg = windowArgmax(X.data, X.shape, inputs[1].shape, params)
  const acc = new Float64Array(X.data.length)
  for (let i = 0; i < arg.length; i++) if (arg[i] >= 0) acc[arg[i]] += gr[i]
  return store(acc, out.dtype)
}

const store = (acc: Float64Array, dtype: DType): TypedArray => {
  if (dtype === 'float64') return acc
  const y = allocTyped(dtype, acc.length)
  y.set(acc)
  return y
}

/** Number of valid (unpadded) positions in each output row's windows, indexed by oh * OW + ow. */
const windowCounts = (g: Geometry, p: Pool2dParams): Float64Array => {
  const counts = new Float64Array(g.OH * g.OW)
  const [wh, ww] = p.window
  const [sh, sw] = p.strides
  for (let oh = 0; oh < g.OH; oh++) {
    const h0 = oh * sh - p.pads[0]
    const hs = Math.max(0, Math.min(g.H, h0 + wh) - Math.max(0, h0))
    for (let ow = 0; ow < g.OW; ow++) {
      const w0 = ow * sw - p.pads[2]
      const ws = Math.max(0, Math.min(g.W, w0 + ww) - Math.max(0, w0))
      counts[oh * g.OW + ow] = hs * ws
    }
  }
  return counts
}

/** Mean over each window's valid positions; a window with none gives NaN (0/0). */
export const avgPool: Kernel<'avgPool', TypedArray> = (inputs, params, out) => {
  const x = inputs[0].data
  const g = geometry(inputs[0].shape, out.shape)
  const C = g.C
  const acc = new Float64Array(g.N * g.OH * g.OW * C)
  forEachWindowPos(g, params, (yBase, xBase) => {
    if (xBase < 0) return
    for (let c = 0; c < C; c++) acc[yBase + c] += x[xBase + c]
  })
  const counts = windowCounts(g, params)
  const plane = g.OH * g.OW
  for (let i = 0, pos = 0; pos < acc.length / C; pos++) {
    const cnt = counts[pos % plane]
    for (let c = 0; c < C; c++, i++) acc[i] /= cnt
  }
  return store(acc, out.dtype)
}

/** dx[window positions of o] += g[o] / count(o): the transpose of avgPool. */
export const avgPoolGrad: Kernel<'avgPoolGrad', TypedArray> = (inputs, params, out) => {
  const gr = inputs[0].data
  const g = geometry(params.inputShape, inputs[0].shape)
  const C = g.C
  const counts = windowCounts(g, params)
  const plane = g.OH * g.OW
  const acc = new Float64Array(g.N * g.H * g.W * C)
  forEachWindowPos(g, params, (yBase, xBase) => {
    if (xBase < 0) return
    const cnt = counts[(yBase / C) % plane]
    for (let c = 0; c < C; c++) acc[xBase + c] += gr[yBase + c] / cnt
  })
  return store(acc, out.dtype)
}
