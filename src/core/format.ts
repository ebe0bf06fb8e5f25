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

/** Significant digits (no leading or trailing zeros; '0' for zero) and the decimal exponent of the first. */
type Digits = readonly [digits: string, exp: number]

const digitsOf = (s: string): Digits => {
  const [m, ex = '0'] = s.replace(/^-/, '').split('e')
  const [ip, fp = ''] = m.split('.')
  const all = ip + fp
  const lead = /^0*/.exec(all)![0].length
  const d = all.slice(lead).replace(/0+$/, '')
  return d === '' ? ['0', 0] : [d, ip.length - 1 + Number(ex) - lead]
}

/**
 * The shortest digits that read back as the stored value (float32 values through fround), the
 * closest such digits, ties to even: what numpy's Dragon4 prints in unique mode.
 */
const shortestDigits = (v: number, dtype: DType): Digits => {
  if (dtype !== 'float32' || v === 0) return digitsOf(String(v))
  for (let p = 1; p < 9; p++) {
    const d = roundedSci(v, p - 1)
    if (Math.fround(Number(`${d[0]}e${d[1] - d[0].length + 1}`)) === Math.abs(v)) return d
  }
  return roundedSci(v, 8)
}

/** |v| exactly as digits x 10^scale (a double is M 2^E, and M 2^E = M 5^-E 10^E). */
const exactDecimal = (v: number): [bigint, number] => {
  const view = new DataView(new ArrayBuffer(8))
  view.setFloat64(0, v)
  const hi = view.getUint32(0), lo = view.getUint32(4)
  const bexp = (hi >>> 20) & 0x7ff
  let m = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo)
  if (bexp !== 0) m |= 1n << 52n
  const e = (bexp === 0 ? 1 : bexp) - 1075
  return e >= 0 ? [m << BigInt(e), 0] : [m * 5n ** BigInt(-e), e]
}

/** round(|v| / 10^unit) with ties to even, as numpy's Dragon4 rounds. */
const roundAt = (v: number, unit: number): bigint => {
  const [n, scale] = exactDecimal(v)
  if (unit <= scale) return n * 10n ** BigInt(scale - unit)
  const div = 10n ** BigInt(unit - scale)
  const q = n / div, r2 = (n % div) * 2n
  return r2 > div || (r2 === div && q % 2n === 1n) ? q + 1n : q
}

/** Digits of |v| rounded to `frac` fractional digits. */
const roundedFixed = (v: number, frac: number): Digits => {
  const n = roundAt(v, -frac)
  return n === 0n ? ['0', 0] : digitsOf(`${n}e-${frac}`)
}

/** Digits of |v| rounded to 1 + `frac` significant digits. */
const roundedSci = (v: number, frac: number): Digits => {
  if (v === 0) return ['0', 0]
  const e = shortestDigits(v, 'float64')[1]
  let n = roundAt(v, e - frac)
  let ee = e
  if (n.toString().length > frac + 1) { n /= 10n; ee++ }
  return [n.toString().replace(/0+$/, '') || '0', ee]
}

/** numpy's unique + precision: the shortest digits, or the value rounded at the cap when they are longer. */
const cappedFixed = (v: number, dtype: DType): Digits => {
  const d = shortestDigits(v, dtype)
  return d[0].length - 1 - d[1] <= PRECISION ? d : roundedFixed(v, PRECISION)
}
const cappedSci = (v: number, dtype: DType): Digits => {
  const d = shortestDigits(v, dtype)
  return d[0].length - 1 <= PRECISION ? d : roundedSci(v, PRECISION)
}

const sign = (v: number): string => (v < 0 || isNegZero(v) ? '-' : '')

/** Integer and fractional parts of a positional rendering. */
const plain = ([d, e]: Digits): [string, string] =>
  e >= 0 ? [d.slice(0, e + 1).padEnd(e + 1, '0'), d.slice(e + 1)] : ['0', '0'.repeat(-e - 1) + d]

const expSuffix = (e: number, size: number): string => `e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(size, '0')}`

const special = (v: number): string | undefined =>
  Number.isNaN(v) ? 'nan' : v === Infinity ? 'inf' : v === -Infinity ? '-inf' : undefined

const formatFloats = (vals: readonly number[], dtype: DType): ((v: number) => string) => {
  const finite = vals.filter((v) => Number.isFinite(v))
  const abs = finite.map(Math.abs).filter((v) => v !== 0)
  const maxA = abs.length ? Math.max(...abs) : 0
  const minA = abs.length ? Math.min(...abs) : 0
  // numpy >= 2.3: the upper cutoff is 10^min(8, decimal precision of the dtype). Under NEP 50 the
  // comparisons (and the ratio) are computed in the array's dtype.
  const r = dtype === 'float32' ? Math.fround : (x: number): number => x
  const cutoff = dtype === 'float32' ? 1e6 : 1e8
  const sci = maxA >= cutoff || (minA > 0 && minA < r(1e-4)) || (minA > 0 && r(maxA / minA) > 1e3)
  if (sci) {
    let frac = 0
    let expSize = 2
    for (const v of finite) {
      const [d, e] = cappedSci(v, dtype)
      frac = Math.max(frac, d.length - 1)
      expSize = Math.max(expSize, String(Math.abs(e)).length)
    }
    // Every value then shows exactly `frac` digits of its exact value (numpy's min_digits).
    return (v) => {
      const s = special(v)
      if (s !== undefined) return s
      const [d, e] = roundedSci(v, frac)
      return `${sign(v)}${d[0]}.${d.slice(1).padEnd(frac, '0')}${expSuffix(e, expSize)}`
    }
  }
  let padRight = 0
  for (const v of finite) padRight = Math.max(padRight, plain(cappedFixed(v, dtype))[1].length)
  return (v) => {
    const s = special(v)
    if (s !== undefined) return s
    const [ip, fp] = plain(cappedFixed(v, dtype))
    return `${sign(v)}${ip}.${fp}${' '.repeat(padRight - fp.length)}`
  }
}

/** numpy's `str` of a scalar: Python-style repr (positional within [1e-4, cutoff), else scientific). */
const formatScalar = (v: number, dtype: DType): string => {
  if (dtype === 'bool') return v ? 'True' : 'False'
  if (dtype === 'int32') return String(v)
  const s = special(v)
  if (s !== undefined) return s
  const a = Math.abs(v)
  const d = shortestDigits(v, dtype)
  if (a === 0 || (a >= 1e-4 && a < (dtype === 'float32' ? 1e6 : 1e16))) {
    const [ip, fp] = plain(d)
    return `${sign(v)}${ip}.${fp || '0'}`
  }
  return `${sign(v)}${d[0][0]}${d[0].length > 1 ? `.${d[0].slice(1)}` : ''}${expSuffix(d[1], 2)}`
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
