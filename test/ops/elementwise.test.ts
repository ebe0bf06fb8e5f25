/**
 * The elementwise ops against Math values and hand-written results: unary and binary arithmetic,
 * NaN, infinities and rounding, dtype rules (int32, bool, JS numbers), numpy broadcasting,
 * comparisons and logic, where, cast and stopGradient, and that every function export carries its
 * export name. Runs once per backend (js and wasm).
 */

import { describe, expect, it } from 'vitest'
import {
  abs, add, cast, ceil, cos, div, equal, erf, exp, expm1, floor, greater, greaterEqual, isFinite, isNaN, less,
  lessEqual, log, log1p, logicalAnd, logicalNot, logicalOr, maximum, minimum, mul, neg, notEqual, pow, reciprocal,
  round, sign, sin, sqrt, square, stopGradient, sub, tanh, tensor, where, type Tensor,
} from '../../src/index.js'
import { expectClose, expectError } from '../helpers/allclose.js'

const f64 = (v: number[] | number[][]): Tensor => tensor(v, { dtype: 'float64' })
const i32 = (v: number[] | number[][]): Tensor => tensor(v, { dtype: 'int32' })
const vals = (t: Tensor): number[] => Array.from(t.dataSync())

describe('unary ops', () => {
  const x = f64([-2, -0.5, 0, 0.5, 2])
  const table: [string, (t: Tensor) => Tensor, number[]][] = [
    ['neg', neg, [2, 0.5, -0, -0.5, -2]],
    ['exp', exp, [Math.exp(-2), Math.exp(-0.5), 1, Math.exp(0.5), Math.exp(2)]],
    ['sin', sin, [Math.sin(-2), Math.sin(-0.5), 0, Math.sin(0.5), Math.sin(2)]],
    ['cos', cos, [Math.cos(-2), Math.cos(-0.5), 1, Math.cos(0.5), Math.cos(2)]],
    ['tanh', tanh, [Math.tanh(-2), Math.tanh(-0.5), 0, Math.tanh(0.5), Math.tanh(2)]],
    ['abs', abs, [2, 0.5, 0, 0.5, 2]],
    ['sign', sign, [-1, -1, 0, 1, 1]],
    ['floor', floor, [-2, -1, 0, 0, 2]],
    ['ceil', ceil, [-2, -0, 0, 1, 2]],
    // erf values from the series / tables: erf(0.5) = 0.5204998778130465, erf(2) = 0.9953222650189527
    ['erf', erf, [-0.9953222650189527, -0.5204998778130465, 0, 0.5204998778130465, 0.9953222650189527]],
    ['expm1', expm1, [Math.expm1(-2), Math.expm1(-0.5), 0, Math.expm1(0.5), Math.expm1(2)]],
    ['square', square, [4, 0.25, 0, 0.25, 4]],
  ]
  for (const [name, f, want] of table) {
    it(name, () => {
      const y = f(x)
      expect(y.shape).toEqual([5])
      expect(y.dtype).toBe('float64')
      expectClose(y, want, { atol: 1e-15, rtol: 1e-14 })
    })
  }

  it('log, sqrt, log1p, reciprocal on their domains, NaN/Inf outside', () => {
    expectClose(log(f64([1, Math.E, 0, -1])), [0, 1, -Infinity, NaN], { atol: 1e-15 })
    expectClose(sqrt(f64([4, 2.25, 0, -1])), [2, 1.5, 0, NaN])
    expectClose(log1p(f64([0, 1e-20, Math.E - 1, -1])), [0, 1e-20, 1, -Infinity], { atol: 0, rtol: 1e-15 })
    expectClose(reciprocal(f64([2, -4, 0])), [0.5, -0.25, Infinity])
  })

  it('expm1 and log1p keep precision near zero', () => {
    // Series: expm1(x) = x + x^2/2 + ..., log1p(x) = x - x^2/2 + ...; exp(x) - 1 would be off by 1e-4 relative.
    expectClose(expm1(f64([1e-12])), [1e-12 + 5e-25], { atol: 0, rtol: 1e-15 })
    expectClose(log1p(f64([1e-12])), [1e-12 - 5e-25], { atol: 0, rtol: 1e-15 })
  })

  it('round sends halves to even, as numpy', () => {
    expect(vals(round(f64([0.5, 1.5, 2.5, -0.5, -1.5, 2.4, 2.6])))).toEqual([0, 2, 2, -0, -2, 2, 3])
  })

  it('float32 results are rounded to float32', () => {
    const y = exp(tensor([1]))
    expect(y.dtype).toBe('float32')
    expect(vals(y)[0]).toBe(Math.fround(Math.E))
  })

  it('neg, abs and sign work on int32; float-only ops refuse it', () => {
    expect(vals(neg(i32([1, -2])))).toEqual([-1, 2])
    expect(vals(abs(i32([-3, 3])))).toEqual([3, 3])
    expect(vals(sign(i32([-3, 0, 3])))).toEqual([-1, 0, 1])
    expect(abs(i32([-3])).dtype).toBe('int32')
    expectError(() => exp(i32([1])), 'DTYPE_MISMATCH', 'exp', 'int32')
    expectError(() => neg(tensor([true])), 'DTYPE_MISMATCH', 'neg', 'bool')
  })
})

describe('binary ops', () => {
  const a = f64([1, -2, 3, 4]), b = f64([2, 4, -1, 0.5])
  it('add, sub, mul, div, pow, maximum, minimum', () => {
    expectClose(add(a, b), [3, 2, 2, 4.5])
    expectClose(sub(a, b), [-1, -6, 4, 3.5])
    expectClose(mul(a, b), [2, -8, -3, 2])
    expectClose(div(a, b), [0.5, -0.5, -3, 8])
    expectClose(pow(f64([2, 9, 4, -2]), f64([3, 0.5, -1, 2])), [8, 3, 0.25, 4])
    expectClose(maximum(a, b), [2, 4, 3, 4])
    expectClose(minimum(a, b), [1, -2, -1, 0.5])
  })

  it('maximum and minimum propagate NaN from either side', () => {
    expectClose(maximum(f64([NaN, 1]), f64([1, NaN])), [NaN, NaN])
    expectClose(minimum(f64([NaN, 1]), f64([1, NaN])), [NaN, NaN])
  })

  it('division by zero gives signed infinities and NaN', () => {
    expectClose(div(f64([1, -1, 0]), f64([0, 0, 0])), [Infinity, -Infinity, NaN])
  })

  it('int32 arithmetic stays int32 (add, sub, mul, maximum); div and pow need floats', () => {
    const y = mul(i32([3, -4]), i32([5, 6]))
    expect(y.dtype).toBe('int32')
    expect(vals(y)).toEqual([15, -24])
    expect(vals(sub(i32([1]), i32([3])))).toEqual([-2])
    expect(vals(maximum(i32([1, 7]), i32([3, 2])))).toEqual([3, 7])
    expectError(() => div(i32([1]), i32([2])), 'DTYPE_MISMATCH', 'div')
    expectError(() => pow(i32([1]), i32([2])), 'DTYPE_MISMATCH', 'pow')
  })

  it('a JS number adopts the tensor dtype, on either side', () => {
    const y = add(f64([0.1]), 0.2)
    expect(y.dtype).toBe('float64')
    expect(vals(y)[0]).toBe(0.1 + 0.2)
    const z = sub(10, tensor([1, 2], { dtype: 'int32' }))
    expect(z.dtype).toBe('int32')
    expect(vals(z)).toEqual([9, 8])
    const w = mul(tensor([3]), 0.1)
    expect(w.dtype).toBe('float32')
    expect(vals(w)[0]).toBe(Math.fround(3 * Math.fround(0.1)))
    expect(vals(div(2, f64([4])))).toEqual([0.5])
  })

  it('two JS numbers give a float32 scalar', () => {
    const y = add(1, 2)
    expect(y.shape).toEqual([])
    expect(y.dtype).toBe('float32')
    expect(y.item()).toBe(3)
  })

  it('refuses mixed dtypes (float32 + float64) and names both', () => {
    expectError(() => add(tensor([1]), f64([1])), 'DTYPE_MISMATCH', 'add', 'float32', 'float64')
    expectError(() => mul(i32([1]), tensor([1])), 'DTYPE_MISMATCH', 'mul', 'int32', 'float32')
  })

  it('refuses non-tensor operands', () => {
    expectError(() => add(tensor([1]), 'x' as never), 'INVALID_ARGUMENT', 'add', 'string')
  })
})

describe('numpy broadcasting', () => {
  it('[2,1,3] + [4,1] -> [2,4,3]', () => {
    const a = tensor([[[1, 2, 3]], [[4, 5, 6]]], { dtype: 'float64' })
    const b = tensor([[10], [20], [30], [40]], { dtype: 'float64' })
    const y = add(a, b)
    expect(y.shape).toEqual([2, 4, 3])
    const want: number[] = []
    for (let i = 0; i < 2; i++) for (let j = 0; j < 4; j++) for (let k = 0; k < 3; k++) want.push(3 * i + k + 1 + 10 * (j + 1))
    expectClose(y.dataSync(), want)
  })

  it('scalars, rank promotion and unit axes on both sides', () => {
    expect(mul(tensor([[1], [2]]), tensor([10, 20, 30])).arraySync()).toEqual([[10, 20, 30], [20, 40, 60]])
    expect(sub(tensor(5), tensor([[1, 2]])).arraySync()).toEqual([[4, 3]])
    expect(maximum(tensor([[1, 5]]), tensor([[3], [0]])).arraySync()).toEqual([[3, 5], [1, 5]])
    expect(add(tensor([]), tensor(1)).shape).toEqual([0])
  })

  it('incompatible shapes throw BROADCAST naming the op and both shapes', () => {
    expectError(() => add(tensor([[1, 2, 3]]), tensor([1, 2])), 'BROADCAST', 'add', '[1,3]', '[2]')
    expectError(() => mul(tensor([[1, 2], [3, 4]]), tensor([[1, 2, 3]])), 'BROADCAST', 'mul', '[2,2]', '[1,3]')
    expectError(() => less(tensor([1, 2]), tensor([1, 2, 3])), 'BROADCAST', 'less', '[2]', '[3]')
  })
})

describe('comparisons and logic', () => {
  const a = tensor([1, 2, 3]), b = tensor([3, 2, 1])
  it('give bool tensors', () => {
    expect(equal(a, b).arraySync()).toEqual([false, true, false])
    expect(notEqual(a, b).arraySync()).toEqual([true, false, true])
    expect(less(a, b).arraySync()).toEqual([true, false, false])
    expect(lessEqual(a, b).arraySync()).toEqual([true, true, false])
    expect(greater(a, b).arraySync()).toEqual([false, false, true])
    expect(greaterEqual(a, b).arraySync()).toEqual([false, true, true])
    expect(equal(a, 2).dtype).toBe('bool')
    expect(greater(tensor([[1], [5]]), tensor([2, 4])).arraySync()).toEqual([[false, false], [true, true]])
  })

  it('NaN compares unequal to everything, itself included', () => {
    const n = tensor([NaN, 1])
    expect(equal(n, n).arraySync()).toEqual([false, true])
    expect(notEqual(n, n).arraySync()).toEqual([true, false])
    expect(less(n, 5).arraySync()).toEqual([false, true])
  })

  it('equal accepts bools; ordering refuses them', () => {
    expect(equal(tensor([true, false]), tensor([true, true])).arraySync()).toEqual([true, false])
    expectError(() => less(tensor([true]), tensor([false])), 'DTYPE_MISMATCH', 'less', 'bool')
  })

  it('logicalNot, logicalAnd, logicalOr', () => {
    const p = tensor([true, true, false, false]), q = tensor([true, false, true, false])
    expect(logicalNot(p).arraySync()).toEqual([false, false, true, true])
    expect(logicalAnd(p, q).arraySync()).toEqual([true, false, false, false])
    expect(logicalOr(p, q).arraySync()).toEqual([true, true, true, false])
    expectError(() => logicalNot(tensor([1])), 'DTYPE_MISMATCH', 'logicalNot')
  })

  it('isFinite and isNaN', () => {
    const x = tensor([1, NaN, Infinity, -Infinity, 0])
    expect(isFinite(x).arraySync()).toEqual([true, false, false, false, true])
    expect(isNaN(x).arraySync()).toEqual([false, true, false, false, false])
    const ints = tensor([0, -7, 2147483647], { dtype: 'int32' })
    expect(isFinite(ints).arraySync()).toEqual([true, true, true])
    expect(isNaN(ints).arraySync()).toEqual([false, false, false])
  })
})

describe('where, cast, stopGradient', () => {
  it('where picks elementwise and broadcasts all three operands', () => {
    const c = tensor([true, false, true])
    expect(where(c, tensor([1, 2, 3]), tensor([10, 20, 30])).arraySync()).toEqual([1, 20, 3])
    expect(where(tensor([[true], [false]]), tensor([1, 2]), 0).arraySync()).toEqual([[1, 2], [0, 0]])
    expect(where(c, 1, 0).arraySync()).toEqual([1, 0, 1])
    expect(where(c, tensor([NaN, NaN, 5]), tensor([7, 8, NaN])).arraySync()).toEqual([NaN, 8, 5])
  })

  it('where needs a bool condition and one dtype for both branches', () => {
    expectError(() => where(tensor([1]), tensor([1]), tensor([2])), 'DTYPE_MISMATCH', 'where', 'bool')
    expectError(() => where(tensor([true]), tensor([1]), f64([2])), 'DTYPE_MISMATCH', 'where')
    expectError(() => where(tensor([true, false, true]), tensor([1, 2]), 0), 'BROADCAST', 'where')
  })

  it('cast between all dtypes', () => {
    const x = tensor([1.7, -1.7, 0, 2.5])
    expect(vals(cast(x, 'int32'))).toEqual([1, -1, 0, 2])
    expect(cast(x, 'bool').arraySync()).toEqual([true, true, false, true])
    expect(cast(tensor([true, false]), 'float32').arraySync()).toEqual([1, 0])
    const d = cast(tensor([0.1]), 'float64')
    expect(d.dtype).toBe('float64')
    expect(vals(d)[0]).toBe(Math.fround(0.1))
    expect(vals(cast(f64([0.1]), 'float32'))[0]).toBe(Math.fround(0.1))
    expect(cast(x, 'float32')).toBe(x)
    expectError(() => cast(x, 'uint8' as never), 'INVALID_ARGUMENT', 'cast')
  })

  it('stopGradient is the identity on values', () => {
    const x = tensor([[1, 2]])
    const y = stopGradient(x)
    expect(y.shape).toEqual([1, 2])
    expect(y.arraySync()).toEqual([[1, 2]])
  })
})

describe('fluent methods forward to the ops', () => {
  it('compute the same values', () => {
    const x = f64([1, 4])
    expectClose(x.add(1).mul(2).sub(1).div(2), [1.5, 4.5])
    expectClose(x.sqrt().neg().abs().exp().log(), [1, 2])
    expectClose(x.pow(2).square(), [1, 256])
    expectClose(x.tanh(), [Math.tanh(1), Math.tanh(4)])
    expect(x.cast('int32').dtype).toBe('int32')
  })
})

describe('op functions carry their names', () => {
  it('every function export of puregrad is named as exported (take is gather under another name)', async () => {
    const entry: Record<string, unknown> = await import('../../src/index.js')
    const misnamed = Object.entries(entry)
      .filter(([k, v]) => typeof v === 'function' && v.name !== k)
      .map(([k, v]) => `${k} is named ${JSON.stringify((v as { name: string }).name)}`)
    expect(misnamed).toEqual(['take is named "gather"'])
  })
})
