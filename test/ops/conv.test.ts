/**
 * conv2d, maxPool2d and avgPool2d (src/ops/conv.ts): conv2d against a naive float64 loop with
 * TensorFlow's padding arithmetic over strides, dilations and 'same'/'valid' padding, plus explicit
 * pads and small cases by hand; pooling against values by hand, with 'same' padding and NaN; and
 * the errors. Runs once per backend (js and wasm).
 */

import { describe, expect, it } from 'vitest'
import { avgPool2d, conv2d, maxPool2d, tensor, type Conv2dOptions, type Tensor } from '../../src/index.js'
import { expectClose, expectError, seededValues } from '../helpers/allclose.js'

const f64 = (shape: number[], seed: number): Tensor =>
  tensor(seededValues(shape.reduce((a, b) => a * b, 1), seed), { shape, dtype: 'float64' })

/** TensorFlow's padding arithmetic, written out independently of src/ops/conv.ts. */
const padsFor = (padding: 'same' | 'valid', n: number, k: number, s: number, d: number): [number, number, number] => {
  const span = (k - 1) * d + 1
  if (padding === 'valid') return [Math.floor((n - span) / s) + 1, 0, 0]
  const out = Math.ceil(n / s)
  const total = Math.max(0, (out - 1) * s + span - n)
  return [out, Math.floor(total / 2), total - Math.floor(total / 2)]
}

/** Naive NHWC x HWIO cross-correlation with zero padding. */
const naiveConv = (x: Tensor, w: Tensor, padding: 'same' | 'valid', [sh, sw]: [number, number], [dh, dw]: [number, number] = [1, 1]): { shape: number[]; values: number[] } => {
  const [N, H, W, C] = x.shape, [KH, KW, , O] = w.shape
  const X = x.dataSync(), F = w.dataSync()
  const [OH, top] = padsFor(padding, H, KH, sh, dh), [OW, left] = padsFor(padding, W, KW, sw, dw)
  const values: number[] = []
  for (let n = 0; n < N; n++) for (let i = 0; i < OH; i++) for (let j = 0; j < OW; j++) for (let o = 0; o < O; o++) {
    let s = 0
    for (let a = 0; a < KH; a++) for (let b = 0; b < KW; b++) {
      const r = i * sh + a * dh - top, c = j * sw + b * dw - left
      if (r < 0 || r >= H || c < 0 || c >= W) continue
      for (let ch = 0; ch < C; ch++) s += X[((n * H + r) * W + c) * C + ch] * F[((a * KW + b) * C + ch) * O + o]
    }
    values.push(s)
  }
  return { shape: [N, OH, OW, O], values }
}

describe('conv2d', () => {
  it('a 1-channel 3x3 image with a 2x2 filter, by hand', () => {
    const x = tensor([1, 2, 3, 4, 5, 6, 7, 8, 9], { shape: [1, 3, 3, 1] })
    const w = tensor([1, 0, 0, -1], { shape: [2, 2, 1, 1] })
    const y = conv2d(x, w)
    expect(y.shape).toEqual([1, 2, 2, 1])
    expect(Array.from(y.dataSync())).toEqual([-4, -4, -4, -4])
    // 'same' pads one row/column after: the last row and column see zeros below/right.
    const s = conv2d(x, w, { padding: 'same' })
    expect(s.shape).toEqual([1, 3, 3, 1])
    expect(Array.from(s.dataSync())).toEqual([-4, -4, 3, -4, -4, 6, 7, 8, 9])
  })

  const configs: [string, number[], number[], Conv2dOptions & { padding: 'same' | 'valid' }][] = [
    ['valid, stride 1', [2, 5, 6, 3], [3, 3, 3, 4], { padding: 'valid' }],
    ['same, stride 1, odd kernel', [1, 5, 5, 2], [3, 3, 2, 3], { padding: 'same' }],
    ['same, stride 1, even kernel', [1, 4, 5, 1], [2, 4, 1, 2], { padding: 'same' }],
    ['valid, stride 2', [2, 7, 6, 2], [3, 2, 2, 3], { padding: 'valid', strides: 2 }],
    ['same, stride 2', [1, 7, 6, 2], [3, 3, 2, 2], { padding: 'same', strides: 2 }],
    ['same, strides [2, 3]', [1, 8, 7, 1], [2, 3, 1, 2], { padding: 'same', strides: [2, 3] }],
    ['valid, strides [3, 1]', [1, 9, 5, 2], [2, 2, 2, 1], { padding: 'valid', strides: [3, 1] }],
    ['same, dilation 2', [1, 6, 6, 1], [3, 3, 1, 2], { padding: 'same', dilations: 2 }],
    ['valid, dilation [2, 1], stride 2', [1, 9, 8, 2], [2, 3, 2, 1], { padding: 'valid', dilations: [2, 1], strides: 2 }],
  ]
  configs.forEach(([name, xs, ws, opts], i) => {
    it(`matches a naive loop: ${name}`, () => {
      const x = f64(xs, 100 + i), w = f64(ws, 200 + i)
      const s = opts.strides ?? 1, d = opts.dilations ?? 1
      const pair = (v: number | readonly [number, number]): [number, number] => (typeof v === 'number' ? [v, v] : [v[0], v[1]])
      const ref = naiveConv(x, w, opts.padding, pair(s), pair(d))
      const y = conv2d(x, w, opts)
      expect(y.shape).toEqual(ref.shape)
      expectClose(y.dataSync(), ref.values, { atol: 1e-13 })
    })
  })

  it('explicit pads [top, bottom, left, right]', () => {
    const x = tensor([1, 2, 3, 4], { shape: [1, 2, 2, 1] })
    const w = tensor([1], { shape: [1, 1, 1, 1] })
    const y = conv2d(x, w, { padding: [1, 0, 0, 2] })
    expect(y.shape).toEqual([1, 3, 4, 1])
    expect(Array.from(y.dataSync())).toEqual([0, 0, 0, 0, 1, 2, 0, 0, 3, 4, 0, 0])
  })

  it('float32 stays float32', () => {
    expect(conv2d(tensor(new Float32Array(16), { shape: [1, 4, 4, 1] }), tensor(new Float32Array(4), { shape: [2, 2, 1, 1] })).dtype).toBe('float32')
  })

  it('errors: ranks, channels, window too large, bad options', () => {
    const x = f64([1, 4, 4, 2], 1)
    expectError(() => conv2d(f64([4, 4, 2], 1), f64([2, 2, 2, 1], 2)), 'SHAPE_MISMATCH', 'conv2d', 'rank 4')
    expectError(() => conv2d(x, f64([2, 2, 3, 1], 2)), 'SHAPE_MISMATCH', 'conv2d', '2 channels', '[2,2,3,1]')
    expectError(() => conv2d(x, f64([5, 1, 2, 1], 2)), 'SHAPE_MISMATCH', 'conv2d', 'does not fit')
    expectError(() => conv2d(x, f64([2, 2, 2, 1], 2), { strides: 0 }), 'INVALID_ARGUMENT', 'strides')
    expectError(() => conv2d(x, f64([2, 2, 2, 1], 2), { padding: 'full' as never }), 'INVALID_ARGUMENT', 'padding')
    expectError(() => conv2d(x, f64([2, 2, 2, 1], 2).cast('float32')), 'DTYPE_MISMATCH', 'conv2d')
  })
})

describe('pooling', () => {
  // 4x4, one channel: 0..15
  const img = (): Tensor => tensor(Array.from({ length: 16 }, (_, i) => i), { shape: [1, 4, 4, 1], dtype: 'float64' })

  it('maxPool2d 2x2 stride 2 (stride defaults to the window)', () => {
    const y = maxPool2d(img(), { window: 2 })
    expect(y.shape).toEqual([1, 2, 2, 1])
    expect(Array.from(y.dataSync())).toEqual([5, 7, 13, 15])
  })

  it('avgPool2d 2x2 stride 2', () => {
    expect(Array.from(avgPool2d(img(), { window: 2 }).dataSync())).toEqual([2.5, 4.5, 10.5, 12.5])
  })

  it('overlapping windows with stride 1', () => {
    const y = maxPool2d(img(), { window: [3, 2], strides: 1 })
    expect(y.shape).toEqual([1, 2, 3, 1])
    expect(Array.from(y.dataSync())).toEqual([9, 10, 11, 13, 14, 15])
    expectClose(avgPool2d(img(), { window: [3, 2], strides: 1 }).dataSync(), [4.5, 5.5, 6.5, 8.5, 9.5, 10.5])
  })

  it("'same' padding: padded positions never win and do not count in the average", () => {
    const x = tensor([-1, -2, -3, -4, -5, -6, -7, -8, -9], { shape: [1, 3, 3, 1], dtype: 'float64' })
    const m = maxPool2d(x, { window: 2, strides: 2, padding: 'same' })
    expect(m.shape).toEqual([1, 2, 2, 1])
    expect(Array.from(m.dataSync())).toEqual([-1, -3, -7, -9])
    const a = avgPool2d(x, { window: 2, strides: 2, padding: 'same' })
    expect(Array.from(a.dataSync())).toEqual([-3, -4.5, -7.5, -9])
  })

  it('pools every channel and batch entry independently', () => {
    const x = tensor([1, 10, 2, 20, 3, 30, 4, 40, 5, 50, 6, 60, 7, 70, 8, 80], { shape: [2, 2, 2, 2], dtype: 'float64' })
    expect(Array.from(maxPool2d(x, { window: 2 }).dataSync())).toEqual([4, 40, 8, 80])
    expect(Array.from(avgPool2d(x, { window: 2 }).dataSync())).toEqual([2.5, 25, 6.5, 65])
  })

  it('max pooling propagates NaN', () => {
    const x = tensor([1, NaN, 3, 4], { shape: [1, 2, 2, 1] })
    expect(maxPool2d(x, { window: 2 }).item()).toBeNaN()
  })

  it('errors', () => {
    expectError(() => maxPool2d(tensor([1, 2, 3, 4], { shape: [2, 2] }), { window: 2 }), 'SHAPE_MISMATCH', 'maxPool2d', 'rank 4')
    expectError(() => avgPool2d(img(), { window: 5 }), 'SHAPE_MISMATCH', 'avgPool2d:')
    expectError(() => maxPool2d(img(), { window: 0 }), 'INVALID_ARGUMENT', 'window')
    expectError(() => maxPool2d(img().cast('int32'), { window: 2 }), 'DTYPE_MISMATCH', 'maxPool2d:')
  })
})
