/**
 * 2-D convolution of the JS backend (NHWC input, HWIO filter) and its two adjoints. All three
 * enumerate the same (output position, filter tap) pairs with the same bounds test, which is
 * what makes conv2dBackInput and conv2dBackFilter the exact transposes of conv2d. Channel loops
 * are innermost because channels are the contiguous axis of every operand.
 */

import { allocTyped, type DType, type TypedArray } from '../../core/dtype.js'
import type { Conv2dParams } from '../../diff/primitives.js'
import type { Kernel } from '../backend.js'

interface Geometry {
  N: number; H: number; W: number; Ci: number
  KH: number; KW: number; Co: number
  OH: number; OW: number
}

/**
 * Visits every valid (n, oh, ow, kh, kw) with its flat base offsets: xBase of x[n,ih,iw,0],
 * wBase of w[kh,kw,0,0] and yBase of y[n,oh,ow,0]. Taps that fall in the zero padding are skipped.
 * Only the tap loop is shared; the kernels keep their channel loops inline for speed.
 */
const forEachTap = (
  g: Geometry,
  p: Conv2dParams,
  visit: (xBase: number, wBase: number, yBase: number) => void,
): void => {
  const [sh, sw] = p.strides
  const [dh, dw] = p.dilations
  const top = p.pads[0]
  const left = p.pads[2]
  const { N, H, W, Ci, KW, Co, OH, OW } = g
  for (let n = 0; n < N; n++) {
    for (let oh = 0; oh < OH; oh++) {
      for (let ow = 0; ow < OW; ow++) {
        const yBase = ((n * OH + oh) * OW + ow) * Co
        for (let kh = 0; kh < g.KH; kh++) {
          const ih = oh * sh + kh * dh - top
          if (ih < 0 || ih >= H) continue
          for (let kw = 0; kw < KW; kw++) {
            const iw = ow * sw + kw * dw - left
            if (iw < 0 || iw >= W) continue
            visit(((n * H + ih) * W + iw) * Ci, (kh * KW + kw) * Ci * Co, yBase)
          }
        }
      }
    }
  }
}

const geometry = (x: readonly number[], w: readonly number[], y: readonly number[]): Geometry => ({
  N: x[0], H: x[1], W: x[2], Ci: x[3],
  KH: w[0], KW: w[1], Co: w[3],
  OH: y[1], OW: y[2],
})

const store = (acc: Float64Array, dtype: DType): TypedArray => {
  if (dtype === 'float64') return acc
  const y = allocTyped(dtype, acc.length)
  y.set(acc)
  return y
}

/** y[n,oh,ow,co] = sum_{kh,kw,ci} x[n, oh*sh + kh*dh - top, ow*sw + kw*dw - left, ci] w[kh,kw,ci,co]. */
export const conv2d: Kernel<'conv2d', TypedArray> = (inputs, params, out) => {
  const x = inputs[0].data
  const w = inputs[1].data
  const g = geometry(inputs[0].shape, inputs[1].shape, out.shape)
  const { Ci, Co } = g
  const acc = new Float64Array(out.shape[0] * g.OH * g.OW * Co)
  forEachTap(g, params, (xBase, wBase, yBase) => {
    for (let ci = 0; ci < Ci; ci++) {
      const xv = x[xBase + ci]
      const wRow = wBase + ci * Co
      for (let co = 0; co < Co; co++) acc[yBase + co] += xv * w[wRow + co]
    }
  })
  return store(acc, out.dtype)
}

/** dx[n,ih,iw,ci] = sum over the taps that read it of dy[n,oh,ow,co] w[kh,kw,ci,co]. */
export const conv2dBackInput: Kernel<'conv2dBackInput', TypedArray> = (inputs, params, out) => {
  const dy = inputs[0].data
  const w = inputs[1].data
  const g = geometry(params.inputShape, inputs[1].shape, inputs[0].shape)
  const { Ci, Co } = g
  const acc = new Float64Array(g.N * g.H * g.W * Ci)
  forEachTap(g, params, (xBase, wBase, yBase) => {
    for (let ci = 0; ci < Ci; ci++) {
      const wRow = wBase + ci * Co
      let s = 0
      for (let co = 0; co < Co; co++) s += dy[yBase + co] * w[wRow + co]
      acc[xBase + ci] += s
    }
  })
  return store(acc, out.dtype)
}

/** dw[kh,kw,ci,co] = sum over output positions of x[n,ih,iw,ci] dy[n,oh,ow,co]. */
export const conv2dBackFilter: Kernel<'conv2dBackFilter', TypedArray> = (inputs, params, out) => {
  const x = inputs[0].data
  const dy = inputs[1].data
  const g = geometry(inputs[0].shape, params.filterShape, inputs[1].shape)
  const { Ci, Co } = g
  const acc = new Float64Array(g.KH * g.KW * Ci * Co)
  forEachTap(g, params, (xBase, wBase, yBase) => {
    for (let ci = 0; ci < Ci; ci++) {
      const xv = x[xBase + ci]
      const wRow = wBase + ci * Co
      for (let co = 0; co < Co; co++) acc[wRow + co] += xv * dy[yBase + co]
    }
  })
  return store(acc, out.dtype)
}
