/**
 * numpy-style printing (`str(ndarray)`): common width per tensor, floats in numpy's default
 * 'maxprec' mode (at most 8 fractional digits, shortest digits that identify the value, integral
 * floats as `1.`), scientific notation when magnitudes span too far, `True`/`False` for bools,
 * and `...` summarisation past 1000 elements with 3 edge items.
 */

import type { DType, TypedArray } from './dtype.js'
import type { Shape } from './shape.js'

const PRECISION = 8
const THRESHOLD = 1000
const EDGE = 3

/** Shortest decimal that round-trips to the stored value (float32 values round-trip through fround). */
const shortest = (v: number, dtype: DType): string => {
  if (dtype !== 'float32') return String(v)
  for (let p = 1; p <= 9; p++) {
    const s = v.toPrecision(p)
    if (Math.fround(Number(s)) === v) return String(Number(s))
  }
  return String(v)
}

const fracDigits = (s: string): number => {
  const m = /\.(\d+)/.exec(s)
  return m === null ? 0 : m[1].length
}

const formatFloats = (vals: number[], dtype: DType): ((v: number) => string) => {
  const finite = vals.filter((v) => Number.isFinite(v))
  const abs = finite.map(Math.abs).filter((v) => v !== 0)
  const maxA = abs.length ? Math.max(...abs) : 0
  const minA = abs.length ? Math.min(...abs) : 0
  const sci = maxA >= 1e8 || (minA > 0 && minA < 1e-4) || (minA > 0 && maxA / minA > 1e3)
  const special = (v: number): string | undefined =>
    Number.isNaN(v) ? 'nan' : v === Infinity ? 'inf' : v === -Infinity ? '-inf' : undefined
  if (sci) {
    let digits = 0
    for (const v of finite) {
      const m = shortest(v, dtype)
      const mant = Number(m).toExponential()
      digits = Math.max(digits, Math.min(PRECISION, fracDigits(mant.split('e')[0])))
    }
    return (v) => special(v) ?? expo(v, digits)
  }
  let digits = 0
  for (const v of finite) {
    const fixed = Number(shortest(v, dtype)).toFixed(PRECISION).replace(/0+$/, '')
    digits = Math.max(digits, fracDigits(fixed))
  }
  return (v) => {
    const s = special(v)
    if (s !== undefined) return s
    const fixed = Number(shortest(v, dtype)).toFixed(PRECISION).replace(/0+$/, '')
    const [ip, fp = ''] = fixed.split('.')
    return `${ip}.${fp.padEnd(digits === 0 ? 0 : fp.length, '0')}${' '.repeat(Math.max(0, digits - fp.length))}`
  }
}

const expo = (v: number, digits: number): string => {
  const [m, e] = v.toExponential(digits).split('e')
  const mant = digits === 0 ? `${m}.` : m
  const ev = Number(e)
  return `${mant}e${ev < 0 ? '-' : '+'}${String(Math.abs(ev)).padStart(2, '0')}`
}

export const formatTensor = (values: TypedArray, shape: Shape, dtype: DType): string => {
  const size = values.length
  const summarise = size > THRESHOLD
  const shown: number[] = []
  const visit = (offset: number, depth: number, collect: (i: number) => void): void => {
    if (depth === shape.length) { collect(offset); return }
    const n = shape[depth]
    let stride = 1
    for (let d = depth + 1; d < shape.length; d++) stride *= shape[d]
    for (const i of indices(n)) visit(offset + i * stride, depth + 1, collect)
  }
  const indices = (n: number): number[] =>
    summarise && n > 2 * EDGE ? [...range(0, EDGE), ...range(n - EDGE, n)] : range(0, n)
  visit(0, 0, (i) => shown.push(values[i]))
  const fmt: (v: number) => string =
    dtype === 'bool' ? (v) => (v ? 'True' : 'False')
      : dtype === 'int32' ? (v) => String(v)
        : formatFloats(shown, dtype)
  const width = Math.max(0, ...shown.map((v) => fmt(v).length))
  const cell = (v: number): string => fmt(v).padStart(width)
  if (shape.length === 0) return fmt(values[0])
  const render = (offset: number, depth: number): string => {
    const n = shape[depth]
    let stride = 1
    for (let d = depth + 1; d < shape.length; d++) stride *= shape[d]
    const cut = summarise && n > 2 * EDGE
    const parts: string[] = []
    for (let i = 0; i < n; i++) {
      if (cut && i === EDGE) { parts.push('...'); i = n - EDGE - 1; continue }
      parts.push(depth === shape.length - 1 ? cell(values[offset + i]) : render(offset + i * stride, depth + 1))
    }
    if (depth === shape.length - 1) return `[${parts.join(' ')}]`
    const sep = `${'\n'.repeat(shape.length - depth - 1)}${' '.repeat(depth + 1)}`
    return `[${parts.join(sep)}]`
  }
  return render(0, 0)
}

const range = (a: number, b: number): number[] => Array.from({ length: Math.max(0, b - a) }, (_, i) => a + i)
