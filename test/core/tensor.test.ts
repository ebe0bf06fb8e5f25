/**
 * Tensor construction and reading (src/core): tensor() from numbers, nested arrays, booleans and
 * typed arrays, with dtypes and its errors (ragged input, a shape the data does not fill, an
 * unknown dtype); the constructors (zeros, arange, linspace, eye...); readers that return copies;
 * and toString against the strings numpy's str() prints. Runs once per backend (js and wasm).
 */

import { describe, expect, it } from 'vitest'
import {
  arange, eye, full, linspace, ones, onesLike, scalar, tensor, zeros, zerosLike, isTensor, add,
} from '../../src/index.js'
import { expectClose, expectError } from '../helpers/allclose.js'

describe('tensor()', () => {
  it('builds a float32 tensor from numbers and nested arrays', () => {
    const t = tensor([[1, 2, 3], [4, 5, 6]])
    expect(t.shape).toEqual([2, 3])
    expect(t.dtype).toBe('float32')
    expect(t.size).toBe(6)
    expect(t.rank).toBe(2)
    expect(t.arraySync()).toEqual([[1, 2, 3], [4, 5, 6]])
    expect(isTensor(t)).toBe(true)
    expect(isTensor([1])).toBe(false)
  })

  it('stores float32 values rounded to float32', () => {
    expect(tensor([0.1]).dataSync()[0]).toBe(Math.fround(0.1))
    expect(tensor([0.1], { dtype: 'float64' }).dataSync()[0]).toBe(0.1)
  })

  it('builds a scalar from a bare number and bool tensors from booleans', () => {
    const s = tensor(2.5)
    expect(s.shape).toEqual([])
    expect(s.arraySync()).toBe(2.5)
    const b = tensor([[true, false], [false, true]])
    expect(b.dtype).toBe('bool')
    expect(b.arraySync()).toEqual([[true, false], [false, true]])
    expect(Array.from(b.dataSync())).toEqual([1, 0, 0, 1])
  })

  it('takes the dtype from a typed array', () => {
    expect(tensor(new Float32Array([1, 2])).dtype).toBe('float32')
    expect(tensor(new Float64Array([1, 2])).dtype).toBe('float64')
    expect(tensor(new Int32Array([1, 2])).dtype).toBe('int32')
    const b = tensor(new Uint8Array([0, 3]))
    expect(b.dtype).toBe('bool')
    expect(b.arraySync()).toEqual([false, true])
    expect(tensor(new Float64Array([1.5, 2.5])).dataSync()).toBeInstanceOf(Float64Array)
  })

  it('converts with an explicit dtype', () => {
    const i = tensor([1.7, -2.7, 3], { dtype: 'int32' })
    expect(Array.from(i.dataSync())).toEqual([1, -2, 3])
    const b = tensor([0, 2, -1], { dtype: 'bool' })
    expect(b.arraySync()).toEqual([false, true, true])
    expect(tensor(new Int32Array([1, 2]), { dtype: 'float64' }).dataSync()).toBeInstanceOf(Float64Array)
  })

  it('reshapes flat data with opts.shape and rejects a shape the data does not fill', () => {
    const t = tensor([1, 2, 3, 4, 5, 6], { shape: [3, 2] })
    expect(t.arraySync()).toEqual([[1, 2], [3, 4], [5, 6]])
    expect(tensor(new Float64Array([1, 2, 3, 4]), { shape: [2, 2] }).arraySync()).toEqual([[1, 2], [3, 4]])
    expectError(() => tensor([1, 2, 3], { shape: [2, 2] }), 'SHAPE_MISMATCH', '3 values', '[2,2]')
  })

  it('rejects ragged input, naming where', () => {
    expectError(() => tensor([[1, 2], [3]]), 'RAGGED', 'data[1]', 'length 2', 'length 1')
    expectError(() => tensor([[[1], [2]], [[3], [4, 5]]]), 'RAGGED', 'data[1][1]')
    expectError(() => tensor([1, [2]] as never), 'RAGGED', 'data[1]')
    expectError(() => tensor([[1, 2], ['x', 3]] as never), 'RAGGED', 'data[1][0]', 'string')
  })

  it('rejects an unknown dtype', () => {
    expectError(() => tensor([1], { dtype: 'int64' as never }), 'INVALID_ARGUMENT', 'int64')
  })

  it('handles an empty array', () => {
    const e = tensor([])
    expect(e.shape).toEqual([0])
    expect(e.size).toBe(0)
    expect(e.arraySync()).toEqual([])
  })
})

describe('constructors', () => {
  it('scalar', () => {
    const s = scalar(3)
    expect(s.shape).toEqual([])
    expect(s.dtype).toBe('float32')
    expect(s.item()).toBe(3)
    expect(scalar(3, 'int32').dtype).toBe('int32')
    expect(scalar(true).dtype).toBe('bool')
  })

  it('zeros, ones, full', () => {
    expect(zeros([2, 2]).arraySync()).toEqual([[0, 0], [0, 0]])
    expect(ones([3], { dtype: 'int32' }).arraySync()).toEqual([1, 1, 1])
    expect(ones([3], { dtype: 'int32' }).dtype).toBe('int32')
    expect(full([2], 7.5, { dtype: 'float64' }).arraySync()).toEqual([7.5, 7.5])
    expect(full([2], true).dtype).toBe('bool')
    expect(full([2], true).arraySync()).toEqual([true, true])
    expect(zeros([]).shape).toEqual([])
    expectError(() => zeros([2, -1]), 'INVALID_ARGUMENT', 'non-negative')
  })

  it('arange: one, two and three arguments, negative and fractional steps', () => {
    expect(arange(5).arraySync()).toEqual([0, 1, 2, 3, 4])
    expect(arange(2, 10, 2).arraySync()).toEqual([2, 4, 6, 8])
    expect(arange(2, 9, 2).arraySync()).toEqual([2, 4, 6, 8])
    expect(arange(5, 0, -1).arraySync()).toEqual([5, 4, 3, 2, 1])
    expect(arange(1, -2, -0.5, { dtype: 'float64' }).arraySync()).toEqual([1, 0.5, 0, -0.5, -1, -1.5])
    expect(arange(3, 1).size).toBe(0)
    expect(arange(4, undefined, 1, { dtype: 'int32' }).dtype).toBe('int32')
    expectError(() => arange(0, 5, 0), 'INVALID_ARGUMENT', 'step')
  })

  it('linspace includes both ends', () => {
    expectClose(linspace(0, 1, 5), [0, 0.25, 0.5, 0.75, 1])
    expect(linspace(2, 3, 1).arraySync()).toEqual([2])
    expect(linspace(-1, 1, 3, { dtype: 'float64' }).arraySync()).toEqual([-1, 0, 1])
    expect(linspace(0, 1, 0).shape).toEqual([0])
    expectError(() => linspace(0, 1, 2.5), 'INVALID_ARGUMENT')
  })

  it('eye, square and rectangular', () => {
    expect(eye(3).arraySync()).toEqual([[1, 0, 0], [0, 1, 0], [0, 0, 1]])
    expect(eye(2, 3).arraySync()).toEqual([[1, 0, 0], [0, 1, 0]])
    expect(eye(3, 2, { dtype: 'int32' }).arraySync()).toEqual([[1, 0], [0, 1], [0, 0]])
  })

  it('zerosLike and onesLike keep shape and dtype', () => {
    const x = tensor([[1, 2, 3]], { dtype: 'float64' })
    const z = zerosLike(x), o = onesLike(x)
    expect(z.shape).toEqual([1, 3])
    expect(z.dtype).toBe('float64')
    expect(z.arraySync()).toEqual([[0, 0, 0]])
    expect(o.arraySync()).toEqual([[1, 1, 1]])
    expect(onesLike(tensor([true])).arraySync()).toEqual([true])
  })
})

describe('readers', () => {
  it('dataSync, data, arraySync and array agree', async () => {
    const t = tensor([[1, 2], [3, 4]], { dtype: 'float64' })
    expect(Array.from(t.dataSync())).toEqual([1, 2, 3, 4])
    expect(Array.from(await t.data())).toEqual([1, 2, 3, 4])
    expect(t.arraySync()).toEqual([[1, 2], [3, 4]])
    expect(await t.array()).toEqual([[1, 2], [3, 4]])
  })

  it('item reads a one-element tensor and refuses others', () => {
    expect(scalar(4.5).item()).toBe(4.5)
    expect(tensor([[7]]).item()).toBe(7)
    expectError(() => tensor([1, 2]).item(), 'SHAPE_MISMATCH', 'item', '[2]')
  })

  it('tensors are immutable: dataSync returns a copy', async () => {
    const src = [1, 2, 3]
    const t = tensor(src)
    src[0] = 100
    const d = t.dataSync()
    d[0] = 42
    expect(Array.from(t.dataSync())).toEqual([1, 2, 3])
    const a = await t.data()
    a[1] = 42
    expect(t.arraySync()).toEqual([1, 2, 3])
    const typed = new Float64Array([1, 2])
    const u = tensor(typed)
    typed[0] = 9
    expect(u.arraySync()).toEqual([1, 2])
    const nested = t.arraySync() as number[]
    nested[2] = 0
    expect(t.arraySync()).toEqual([1, 2, 3])
  })

  it('ops return new tensors and leave their operands unchanged', () => {
    const a = tensor([1, 2])
    const b = add(a, 1)
    expect(a.arraySync()).toEqual([1, 2])
    expect(b.arraySync()).toEqual([2, 3])
    expect(b).not.toBe(a)
  })
})

describe('toString matches numpy str()', () => {
  const cases: [string, () => string, string][] = [
    ['float32 matrix', () => tensor([[1, 2], [3, 4]]).toString(), '[[1. 2.]\n [3. 4.]]'],
    ['shortest digits, padded on the right', () => tensor([1.5, 2.25]).toString(), '[1.5  2.25]'],
    ['negative', () => tensor([-1, 2]).toString(), '[-1.  2.]'],
    ['float32 0.1 prints as 0.1', () => tensor([0.1]).toString(), '[0.1]'],
    ['scientific when magnitudes span', () => tensor([1e-5, 1]).toString(), '[1.e-05 1.e+00]'],
    ['int32, right aligned', () => tensor([1, 22, 333], { dtype: 'int32' }).toString(), '[  1  22 333]'],
    ['bool', () => tensor([true, false]).toString(), '[ True False]'],
    ['bool, all true', () => tensor([true, true]).toString(), '[ True  True]'],
    ['float32 scalar', () => scalar(3.5).toString(), '3.5'],
    ['integral scalar keeps .0', () => scalar(1, 'float64').toString(), '1.0'],
    ['small scalar', () => scalar(1e-5, 'float64').toString(), '1e-05'],
    ['int scalar', () => scalar(7, 'int32').toString(), '7'],
    ['bool scalar', () => scalar(false).toString(), 'False'],
    ['nan and inf', () => tensor([NaN, Infinity, -Infinity, 1.5]).toString(), '[ nan  inf -inf  1.5]'],
    ['nan scalar', () => scalar(NaN).toString(), 'nan'],
    ['negative zero', () => tensor([-0, 0.5]).toString(), '[-0.   0.5]'],
    ['rank 3: blank line between blocks', () => arange(8).reshape([2, 2, 2]).toString(), '[[[0. 1.]\n  [2. 3.]]\n\n [[4. 5.]\n  [6. 7.]]]'],
    ['float64 eight digits', () => tensor([1 / 3, 2], { dtype: 'float64' }).toString(), '[0.33333333 2.        ]'],
    ['float32 exact digits in scientific', () => tensor([8.85, 123456.79]).toString(), '[8.8500004e+00 1.2345679e+05]'],
    ['three-digit exponents', () => tensor([1e-100, 1], { dtype: 'float64' }).toString(), '[1.e-100 1.e+000]'],
    ['empty', () => zeros([2, 0]).toString(), '[]'],
  ]
  for (const [name, got, want] of cases) it(name, () => expect(got()).toBe(want))

  it('wraps rows at 75 characters', () => {
    expect(arange(30).toString()).toBe(
      '[ 0.  1.  2.  3.  4.  5.  6.  7.  8.  9. 10. 11. 12. 13. 14. 15. 16. 17.\n'
      + ' 18. 19. 20. 21. 22. 23. 24. 25. 26. 27. 28. 29.]',
    )
  })

  it('summarises more than 1000 elements with ...', () => {
    expect(arange(2000).toString()).toBe('[0.000e+00 1.000e+00 2.000e+00 ... 1.997e+03 1.998e+03 1.999e+03]')
    expect(arange(2000, undefined, 1, { dtype: 'int32' }).toString()).toBe('[   0    1    2 ... 1997 1998 1999]')
    expect(arange(2000).reshape([40, 50]).toString()).toBe(
      '[[0.000e+00 1.000e+00 2.000e+00 ... 4.700e+01 4.800e+01 4.900e+01]\n'
      + ' [5.000e+01 5.100e+01 5.200e+01 ... 9.700e+01 9.800e+01 9.900e+01]\n'
      + ' [1.000e+02 1.010e+02 1.020e+02 ... 1.470e+02 1.480e+02 1.490e+02]\n'
      + ' ...\n'
      + ' [1.850e+03 1.851e+03 1.852e+03 ... 1.897e+03 1.898e+03 1.899e+03]\n'
      + ' [1.900e+03 1.901e+03 1.902e+03 ... 1.947e+03 1.948e+03 1.949e+03]\n'
      + ' [1.950e+03 1.951e+03 1.952e+03 ... 1.997e+03 1.998e+03 1.999e+03]]',
    )
  })

  it('String() and template literals use toString', () => {
    expect(`${tensor([1, 2], { dtype: 'int32' })}`).toBe('[1 2]')
    expect(String(tensor([0.5]))).toBe('[0.5]')
  })
})
