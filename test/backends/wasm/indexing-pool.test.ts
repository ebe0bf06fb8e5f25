/**
 * The wasm backend's gather / scatterAdd and pooling kernels against the JS reference, bit for
 * bit (copies, float64 sums in the reference's order, the same window walk): every axis, repeated
 * indices, int32 data, empty index sets, out-of-range indices; windows with strides, asymmetric
 * padding, windows wholly in the padding, channel counts on and off the SIMD width, NaN and ties.
 */

import { describe, expect, it } from 'vitest'
import { createWasmBackend } from '../../../src/backends/wasm/index.js'
import type { Pool2dParams } from '../../../src/diff/primitives.js'
import { expectError } from '../../helpers/allclose.js'
import { both, expectUlps, f32, int32, out, type In } from './support.js'

const wasm = createWasmBackend({ minWork: 0, threads: 1 })

describe('wasm gather and scatterAdd', () => {
  const cases: readonly (readonly [number[], number, number[], number[]])[] = [
    [[5, 6], 0, [3, 0, 3, 4], [4]], [[5, 6], 1, [5, 5, 0], [3]], [[2, 5, 3], 1, [4, 1, 1, 0], [2, 2]],
    [[2, 5, 3], 2, [2], [1]], [[7], 0, [6, 0, 6, 6], [4]], [[4, 3], 0, [], [0]],
  ]
  it('gather matches the reference on every axis, float32 and int32, including no indices', () => {
    cases.forEach(([shape, axis, idx, ishape], i) => {
      const x = f32(shape, 70 + i)
      const oshape = [...shape.slice(0, axis), ...ishape, ...shape.slice(axis + 1)]
      const [got, want] = both(wasm, 'gather', [x, int32(idx, ishape)], { axis }, out(oshape))
      expectUlps(got, want, 0, `gather [${shape}] axis ${axis}`)
      const xi: In = { data: Int32Array.from(x.data, (v) => (Number.isFinite(v) ? Math.trunc(v * 1000) : 7)), shape, dtype: 'int32' }
      const [gi, wi] = both(wasm, 'gather', [xi, int32(idx, ishape)], { axis }, out(oshape, 'int32'))
      expectUlps(gi, wi, 0, `gather int32 [${shape}] axis ${axis}`)
    })
  })

  it('scatterAdd (the transpose of gather) matches the reference bit for bit with repeated indices', () => {
    cases.forEach(([shape, axis, idx, ishape], i) => {
      const ushape = [...shape.slice(0, axis), ...ishape, ...shape.slice(axis + 1)]
      const u = f32(ushape, 80 + i, { every: 0 })
      const [got, want] = both(wasm, 'scatterAdd', [u, int32(idx, ishape)], { axis, size: shape[axis] }, out(shape))
      expectUlps(got, want, 0, `scatterAdd [${shape}] axis ${axis}`)
    })
  })

  it('an index outside the axis is INDEX_OUT_OF_RANGE naming the op, before any kernel runs', () => {
    expectError(() => wasm.kernels.gather([f32([4, 2], 1), int32([1, 4])], { axis: 0 }, out([2, 2])), 'INDEX_OUT_OF_RANGE', 'gather', 'index 4 outside axis 0 of length 4')
    expectError(() => wasm.kernels.scatterAdd([f32([2, 2], 1), int32([-1, 0])], { axis: 0, size: 3 }, out([3, 2])), 'INDEX_OUT_OF_RANGE', 'scatterAdd', 'index -1')
  })
})

describe('wasm pooling', () => {
  const size = (n: number, w: number, s: number, lo: number, hi: number): number => Math.floor((n + lo + hi - w) / s) + 1
  const cases: readonly (readonly [number[], Pool2dParams])[] = [
    [[2, 6, 6, 4], { window: [2, 2], strides: [2, 2], pads: [0, 0, 0, 0] }],
    [[1, 5, 7, 5], { window: [3, 3], strides: [1, 1], pads: [1, 1, 1, 1] }],
    [[2, 7, 5, 9], { window: [3, 2], strides: [2, 1], pads: [2, 0, 0, 1] }],
    [[1, 4, 4, 1], { window: [2, 2], strides: [1, 2], pads: [3, 0, 0, 2] }],
    [[3, 3, 3, 3], { window: [3, 3], strides: [3, 3], pads: [0, 0, 0, 0] }],
  ]
  const yShape = (x: readonly number[], p: Pool2dParams): number[] =>
    [x[0], size(x[1], p.window[0], p.strides[0], p.pads[0], p.pads[1]), size(x[2], p.window[1], p.strides[1], p.pads[2], p.pads[3]), x[3]]

  it('maxPool, maxPoolSelect and maxPoolScatter match the reference (ties, NaN, windows wholly in the padding)', () => {
    cases.forEach(([xs, p], i) => {
      const ys = yShape(xs, p)
      const x = f32(xs, 90 + i, { lo: -2, hi: 2, every: 11 })
      const [y, yw] = both(wasm, 'maxPool', [x], p, out(ys))
      expectUlps(y, yw, 0, `maxPool case ${i}`)
      const t = f32(xs, 95 + i, { every: 0 })
      const [s, sw] = both(wasm, 'maxPoolSelect', [x, t], p, out(ys))
      expectUlps(s, sw, 0, `maxPoolSelect case ${i}`)
      const g = f32(ys, 99 + i, { every: 0 })
      const [d, dw] = both(wasm, 'maxPoolScatter', [x, g], p, out(xs))
      expectUlps(d, dw, 0, `maxPoolScatter case ${i}`)
    })
    // Case 3 has a window wholly in the padding: -Infinity out, nothing scattered back.
    expect(Array.from(both(wasm, 'maxPool', [f32([1, 4, 4, 1], 1)], cases[3][1], out(yShape([1, 4, 4, 1], cases[3][1])))[0]).slice(0, 1)).toEqual([-Infinity])
  })

  it('avgPool and avgPoolGrad match the reference bit for bit (padding never counts; an empty window is NaN)', () => {
    cases.forEach(([xs, p], i) => {
      const ys = yShape(xs, p)
      const [y, yw] = both(wasm, 'avgPool', [f32(xs, 110 + i, { every: 0 })], p, out(ys))
      expectUlps(y, yw, 0, `avgPool case ${i}`)
      const [d, dw] = both(wasm, 'avgPoolGrad', [f32(ys, 120 + i, { every: 0 })], { ...p, inputShape: xs }, out(xs))
      expectUlps(d, dw, 0, `avgPoolGrad case ${i}`)
    })
  })
})
