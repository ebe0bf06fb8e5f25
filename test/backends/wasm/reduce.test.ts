/**
 * The wasm backend's reductions and scans against the JS reference, bit for bit: they fold in the
 * reference's order with float64 sums, so nothing may differ. Axes contiguous and not, kept and
 * dropped dimensions, empty axes and zero-size inputs, NaN and ties for max and argmax; each call
 * asserted to have run in WebAssembly.
 */

import { describe, it } from 'vitest'
import { createWasmBackend } from '../../../src/backends/wasm/index.js'
import { both, expectUlps, f32, out } from './support.js'

const wasm = createWasmBackend({ minWork: 0, threads: 1 })

const CASES: readonly (readonly [number[], number[]])[] = [
  [[6, 7], [0]], [[6, 7], [1]], [[6, 7], [0, 1]], [[3, 4, 5], [1]], [[3, 4, 5], [0, 2]], [[3, 4, 5], [2]],
  [[2, 3, 4, 5], [1, 3]], [[2, 3, 4, 5], [0, 1, 2]], [[4, 1, 9], [1]], [[1000], [0]], [[130, 33], [0]],
  [[0, 4], [0]], [[0, 4], [1]], [[3, 0], [1]], [[3, 0], [0]], [[5], []],
]

const reducedShape = (shape: readonly number[], axes: readonly number[], keepDims: boolean): number[] =>
  keepDims ? shape.map((d, i) => (axes.includes(i) ? 1 : d)) : shape.filter((_, i) => !axes.includes(i))

describe('wasm sum and max', () => {
  for (const op of ['sum', 'max'] as const) {
    it(`${op} over axes matches the reference bit for bit (keepDims both ways, empty axes, NaN)`, () => {
      CASES.forEach(([shape, axes], i) => {
        for (const keepDims of [false, true]) {
          const x = f32(shape, 60 + i, { every: op === 'max' ? 17 : 0 })
          const [got, want] = both(wasm, op, [x], { axes, keepDims }, out(reducedShape(shape, axes, keepDims)))
          expectUlps(got, want, 0, `${op} [${shape}] axes [${axes}]`)
        }
      })
    })
  }
})

describe('wasm argmax and cumsum', () => {
  it('argmax along every axis matches the reference: first maximum, first NaN wins, empty axis gives 0', () => {
    for (const [shape, seed] of [[[3, 4, 5], 1], [[7, 9], 2], [[1, 13], 3], [[3, 0], 4], [[0, 3], 5]] as const) {
      for (let axis = 0; axis < shape.length; axis++) {
        const x = f32(shape, seed, { lo: -2, hi: 2, every: 7 })
        const [got, want] = both(wasm, 'argmax', [x], { axis, keepDims: false }, out(shape.filter((_, d) => d !== axis), 'int32'))
        expectUlps(got, want, 0, `argmax [${shape}] axis ${axis}`)
      }
    }
  })

  it('cumsum along every axis, both directions, matches the reference bit for bit', () => {
    for (const [shape, seed] of [[[3, 4, 5], 1], [[300], 2], [[2, 9], 3], [[0, 3], 4]] as const) {
      for (let axis = 0; axis < shape.length; axis++) {
        for (const reverse of [false, true]) {
          const x = f32(shape, seed, { every: 0 })
          const [got, want] = both(wasm, 'cumsum', [x], { axis, reverse }, out(shape))
          expectUlps(got, want, 0, `cumsum [${shape}] axis ${axis} reverse ${reverse}`)
        }
      }
    }
  })
})
