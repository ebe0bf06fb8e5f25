/**
 * numpy-style printing (`str(ndarray)`): common width per tensor, floats in numpy's default
 * 'maxprec' mode (at most 8 fractional digits, shortest digits that identify the value, integral
 * floats as `1.`), scientific notation when magnitudes span too far, `True`/`False` for bools,
 * `...` summarisation past 1000 elements with 3 edge items, and rows wrapped at 75 characters.
 * A scalar (rank 0) prints like numpy's scalar `str`: `1.0`, `0.1`, `1e-05`, `True`.
 */

import type { DType, TypedArray } from './dtype.js'
import type { Shape } from './shape.js'

const PRECISION = 8
const THRESHOLD = 1000
const EDGE = 3
const LINE_WIDTH = 75

const isNegZero = (v: number): boolean => v === 0 && 1 / v < 0

/** Shortest decimal that round-trips to the stored value (float32 values round-trip through fround). */
const shortest = (v: number, dtype: DType): string => {
  if (dtype !== 'float32') return String(v)
  for (let p = 1; p <= 9; p++) {
    const s = v.toPrecision(p)
    if (Math.fround(Number(s)) === v) return String(Number(s))
  }
  return String(v)
}

const special = (v: number): string | undefined =>
  Number.isNaN(v) ? 'nan' : v === Infinity ? 'inf' : v === -Infinity ? '-inf' : undefined

/** Splits `1.2345e+7` into mantissa and exponent, with `-` restored on negative zero. */
const splitExp = (s: string, v: number): [string, number] => {
  const [m, e] = s.split('e')
  return [isNegZero(v) ? `-${m}` : m, Number(e)]
}

const expSuffix = (e: number, size: number): string => `e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(size, '0')}`

/** Shortest digits, rounded to at most PRECISION fractional digits, trailing zeros dropped (numpy's unique + trim '.'). */
const positionalDigits = (v: number, dtype: DType): [string, string] => {
  const fixed = Number(shortest(v, dtype)).toFixed(PRECISION)
  const [ip, fp = ''] = fixed.split('.')
  return [isNegZero(v) ? `-${ip}` : ip, fp.replace(/0+$/, '')]
}

const sciFracDigits = (v: number, dtype: DType): number => {
  const [m] = Number(shortest(v, dtype)).toExponential().split('e')
  const d = m.includes('.') ? m.split('.')[1].length : 0
  if (d <= PRECISION) return d
  const [r] = v.toExponential(PRECISION).split('e')
  return r.split('.')[1].replace(/0+$/, '').length
}

const formatFloats = (vals: readonly number[], dtype: DType): ((v: number) => string) => {
  const finite = vals.filter((v) => Number.isFinite(v))
  const abs = finite.map(Math.abs).filter((v) => v !== 0)
  const maxA = abs.length ? Math.max(...abs) : 0
  const minA = abs.length ? Math.min(...abs) : 0
  const sci = maxA >= 1e8 || (minA > 0 && minA < 1e-4) || (minA > 0 && maxA / minA > 1e3)
  if (sci) {
    let digits = 0
    let expSize = 2
    for (const v of finite) {
      digits = Math.max(digits, sciFracDigits(v, dtype))
      expSize = Math.max(expSize, String(Math.abs(splitExp(v.toExponential(PRECISION), v)[1])).length)
    }
    return (v) => {
      const s = special(v)
      if (s !== undefined) return s
      const [m, e] = splitExp(v.toExponential(digits), v)
      return `${digits === 0 ? `${m}.` : m}${expSuffix(e, expSize)}`
    }
  }
  let padRight = 0
  for (const v of finite) padRight = Math.max(padRight, positionalDigits(v, dtype)[1].length)
  return (v) => {
    const s = special(v)
    if (s !== undefined) return s
    const [ip, fp] = positionalDigits(v, dtype)
    return `${ip}.${fp}${' '.repeat(padRight - fp.length)}`
  }
}

/** numpy's `str` of a scalar: Python-style repr (positional within [1e-4, cutoff), else scientific). */
const formatScalar = (v: number, dtype: DType): string => {
  if (dtype === 'bool') return v ? 'True' : 'False'
  if (dtype === 'int32') return String(v)
  const s = special(v)
  if (s !== undefined) return s
  const a = Math.abs(v)
  const cutoff = dtype === 'float32' ? 1e6 : 1e16
  const digits = Number(shortest(v, dtype))
  if (a === 0 || (a >= 1e-4 && a < cutoff)) {
    const p = isNegZero(v) ? '-0' : String(digits)
    return p.includes('.') ? p : `${p}.0`
  }
  const [m, e] = splitExp(digits.toExponential(), v)
  return `${m}${expSuffix(e, 2)}`
}

export const formatTensor = (values: TypedArray, shape: Shape, dtype: DType): string => {
  if (shape.length === 0) return formatScalar(values[0], dtype)
  if (values.length === 0) return '[]'
  const summarise = values.length > THRESHOLD
  const strides = shape.map((_, d) => shape.slice(d + 1).reduce((p, q) => p * q, 1))
  const indices = (n: number): number[] =>
    summarise && n > 2 * EDGE ? [...range(0, EDGE), ...range(n - EDGE, n)] : range(0, n)
  // The values that will be printed decide the format, as numpy's _leading_trailing does.
  const shown: number[] = []
  const visit = (offset: number, depth: number): void => {
    if (depth === shape.length) { shown.push(values[offset]); return }
    for (const i of indices(shape[depth])) visit(offset + i * strides[depth], depth + 1)
  }
  visit(0, 0)
  const fmt: (v: number) => string =
    dtype === 'bool' ? (v) => (v ? ' True' : 'False')
      : dtype === 'int32' ? (v) => String(v)
        : formatFloats(shown, dtype)
  const width = Math.max(0, ...shown.map((v) => fmt(v).length))
  const cell = (v: number): string => fmt(v).padStart(width)

  // numpy's _formatArray: a hanging indent per level, rows wrapped to the line width.
  const render = (offset: number, depth: number, hanging: string, lineWidth: number): string => {
    const n = shape[depth]
    const axesLeft = shape.length - depth
    const idx = indices(n)
    const cut = idx.length < n
    const child = (i: number): string => render(offset + i * strides[depth], depth + 1, `${hanging} `, lineWidth - 1)
    let s = ''
    if (axesLeft === 1) {
      const elemWidth = lineWidth - 1
      let line = hanging
      const extend = (word: string): void => {
        if (line.length + word.length > elemWidth && line.length > hanging.length) {
          s += `${line.trimEnd()}\n`
          line = hanging
        }
        line += word
      }
      idx.forEach((i, k) => {
        if (cut && k === EDGE) { extend('...'); line += ' ' }
        extend(cell(values[offset + i * strides[depth]]))
        if (k < idx.length - 1) line += ' '
      })
      s += line
    } else {
      const sep = '\n'.repeat(axesLeft - 1)
      s = idx.map((i, k) => `${cut && k === EDGE ? `${hanging}...${sep}` : ''}${hanging}${child(i)}`).join(sep)
    }
    return `[${s.slice(hanging.length)}]`
  }
  return render(0, 0, ' ', LINE_WIDTH)
}

const range = (a: number, b: number): number[] => Array.from({ length: Math.max(0, b - a) }, (_, i) => a + i)
