/**
 * The JS backend's convolution kernels (src/backends/js/conv.ts): conv2d with strides, padding
 * and dilation, and its two backward kernels, against a direct sum.
 */

import { describe, it, expect } from 'vitest'
import type { Conv2dParams } from '../../../src/diff/primitives.js'
import { K, size, f64, f32, out, arr, rand, dot, expectNear, type In } from './kernel-inputs.js'

describe('conv2d', () => {
  const naiveConv = (x: In, w: In, p: Conv2dParams, oShape: number[]): number[] => {
    const [N, H, W, Ci] = x.shape
    const [KH, KW, , Co] = w.shape
    const [, OH, OW] = oShape
    const res: number[] = []
    for (let n = 0; n < N; n++) for (let oh = 0; oh < OH; oh++) for (let ow = 0; ow < OW; ow++) for (let co = 0; co < Co; co++) {
      let s = 0
      for (let kh = 0; kh < KH; kh++) for (let kw = 0; kw < KW; kw++) for (let ci = 0; ci < Ci; ci++) {
        const ih = oh * p.strides[0] + kh * p.dilations[0] - p.pads[0]
        const iw = ow * p.strides[1] + kw * p.dilations[1] - p.pads[2]
        if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue
        s += x.data[((n * H + ih) * W + iw) * Ci + ci] * w.data[((kh * KW + kw) * Ci + ci) * Co + co]
      }
      res.push(s)
    }
    return res
  }
  const outDim = (i: number, k: number, s: number, d: number, lo: number, hi: number): number =>
    Math.floor((i + lo + hi - (d * (k - 1) + 1)) / s) + 1

  const cases: [string, Conv2dParams][] = [
    ['stride 2, asymmetric pads', { strides: [2, 2], dilations: [1, 1], pads: [1, 0, 0, 2] }],
    ['dilation 2, asymmetric pads', { strides: [1, 1], dilations: [2, 2], pads: [0, 2, 1, 0] }],
    ['mixed stride and dilation', { strides: [2, 1], dilations: [1, 2], pads: [2, 1, 1, 1] }],
  ]
  for (const [name, p] of cases) {
    it(`matches a naive loop and both adjoints hold: ${name}`, () => {
      const xShape = [2, 7, 6, 3]
      const wShape = [3, 2, 3, 4]
      const x = f64(xShape, rand(size(xShape), 5))
      const w = f64(wShape, rand(size(wShape), 6))
      const oShape = [2, outDim(7, 3, p.strides[0], p.dilations[0], p.pads[0], p.pads[1]),
        outDim(6, 2, p.strides[1], p.dilations[1], p.pads[2], p.pads[3]), 4]
      const y = K.conv2d([x, w], p, out(oShape))
      expectNear(y, naiveConv(x, w, p, oShape))
      const g = f64(oShape, rand(size(oShape), 7))
      const bx = K.conv2dBackInput([g, w], { ...p, inputShape: xShape }, out(xShape))
      const bw = K.conv2dBackFilter([x, g], { ...p, filterShape: wShape }, out(wShape))
      const lhs = dot(y, g.data)
      expect(Math.abs(lhs)).toBeGreaterThan(1e-3)
      expect(Math.abs(lhs - dot(x.data, bx))).toBeLessThan(1e-11)
      expect(Math.abs(lhs - dot(w.data, bw))).toBeLessThan(1e-11)
    })
  }

  it('computes a 1x1-channel example by hand', () => {
    // 3x3 image, 2x2 ones filter, stride 1, no padding: sums of 2x2 blocks.
    const x = f64([1, 3, 3, 1], [1, 2, 3, 4, 5, 6, 7, 8, 9])
    const w = f64([2, 2, 1, 1], [1, 1, 1, 1])
    const y = K.conv2d([x, w], { strides: [1, 1], dilations: [1, 1], pads: [0, 0, 0, 0] }, out([1, 2, 2, 1]))
    expect(arr(y)).toEqual([12, 16, 24, 28])
    const y32 = K.conv2d([f32([1, 3, 3, 1], x.data), f32([2, 2, 1, 1], w.data)], { strides: [1, 1], dilations: [1, 1], pads: [0, 0, 0, 0] }, out([1, 2, 2, 1], 'float32'))
    expect(y32).toBeInstanceOf(Float32Array)
    expect(arr(y32)).toEqual([12, 16, 24, 28])
  })
})
