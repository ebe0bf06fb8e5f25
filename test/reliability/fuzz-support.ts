/**
 * The machinery behind the API fuzz suites (fuzz-ops.test.ts, fuzz-table.ts): argument specs that
 * can be built on any backend (a float32 tensor is rebuilt as float64 for the reference), the
 * fast-check arbitraries that mix valid and invalid arguments, the comparison against the float64
 * JS reference, and the checks on errors (catalogue code, op named, shapes named) and on the
 * backend's health after each failure. Seeds are fixed; PUREGRAD_FUZZ_RUNS and PUREGRAD_FUZZ_SEED
 * run the suites longer or elsewhere.
 */

import fc from 'fast-check'
import {
  add, createJsBackend, ERROR_CODES, matmul, ones, PuregradError, registerBackend, Tensor, tensor, withBackend, zeros,
  type DType,
} from '../../src/index.js'
import { createWasmBackend } from '../../src/backends/wasm/index.js'

// ---------------------------------------------------------------------------------------------
// Backends and settings

export const RUNS = Number(process.env.PUREGRAD_FUZZ_RUNS ?? 40)
export const SEED = Number(process.env.PUREGRAD_FUZZ_SEED ?? 20261128)

/** A stable per-name seed offset, so each op gets its own fixed stream. */
export const seedFor = (name: string): number => {
  let h = SEED | 0
  for (let i = 0; i < name.length; i++) h = (Math.imul(h, 31) + name.charCodeAt(i)) | 0
  return h
}

registerBackend(createJsBackend({ name: 'ref64' }))
// minWork 0: every float32 matmul and convolution really runs in WebAssembly.
registerBackend(createWasmBackend({ name: 'wasm', minWork: 0 }))
export const BACKENDS = ['js', 'wasm'] as const
export const REF = 'ref64'

// ---------------------------------------------------------------------------------------------
// Argument specs

/** An argument, described so it can be built on any backend, float32 optionally widened. */
export type Spec =
  | { readonly k: 'T'; readonly dtype: DType; readonly shape: readonly number[]; readonly values: readonly number[] }
  | { readonly k: 'Z'; readonly dtype: DType; readonly shape: readonly number[] }
  | { readonly k: 'L'; readonly v: unknown }
  | { readonly k: 'D'; readonly v: unknown }
  | { readonly k: 'A'; readonly items: readonly Spec[] }
  | { readonly k: 'O'; readonly fields: Readonly<Record<string, Spec>> }

const widen = (d: unknown, promote: boolean): unknown => (promote && d === 'float32' ? 'float64' : d)

const typed = (dtype: DType, values: readonly number[]): Float32Array | Float64Array | Int32Array | Uint8Array =>
  dtype === 'float32' ? Float32Array.from(values) : dtype === 'float64' ? Float64Array.from(values)
    : dtype === 'int32' ? Int32Array.from(values) : Uint8Array.from(values)

/** Builds a spec on the current backend; `promote` widens float32 to float64 (the reference). */
export const build = (s: Spec, promote: boolean): unknown => {
  switch (s.k) {
    case 'T': {
      const dtype = widen(s.dtype, promote) as DType
      return tensor(typed(dtype, s.values), { shape: s.shape, dtype })
    }
    case 'Z': return zeros(s.shape, { dtype: widen(s.dtype, promote) as DType })
    case 'L': return s.v
    case 'D': return widen(s.v, promote)
    case 'A': return s.items.map((x) => build(x, promote))
    case 'O': return Object.fromEntries(Object.entries(s.fields).map(([k, v]) => [k, build(v, promote)]))
  }
}

export const describeSpec = (s: Spec): string => {
  switch (s.k) {
    case 'T': return `${s.dtype}[${s.shape.join(',')}](${s.values.slice(0, 6).join(',')}${s.values.length > 6 ? ',...' : ''})`
    case 'Z': return `zeros ${s.dtype}[${s.shape.join(',')}]`
    case 'L': return typeof s.v === 'string' ? JSON.stringify(s.v) : s.v === undefined ? 'undefined' : Number.isNaN(s.v) ? 'NaN' : JSON.stringify(s.v) ?? String(s.v)
    case 'D': return `'${String(s.v)}'`
    case 'A': return `[${s.items.map(describeSpec).join(', ')}]`
    case 'O': return `{${Object.entries(s.fields).map(([k, v]) => `${k}: ${describeSpec(v)}`).join(', ')}}`
  }
}

// ---------------------------------------------------------------------------------------------
// Arbitraries

/** float32-exact values, so float32 and float64 builds of a spec hold the same numbers. */
export const POOL = [0, -0, 0.5, -0.5, 1, -1, 1.5, -2, 2, 3, -3, 0.25, -4, 4, 0.1, -2.7, 7.9].map(Math.fround)
const SPECIALS = [NaN, Infinity, -Infinity]
export const GARBAGE = [null, undefined, 'x', {}, true, [[1], [2, 3]]] as const
/** Dimensions no machine can allocate: products far past 2^31 elements. */
export const HUGE = [2 ** 20, 2 ** 31, 2 ** 40] as const

export const valueArb = fc.oneof({ weight: 14, arbitrary: fc.constantFrom(...POOL) }, { weight: 1, arbitrary: fc.constantFrom(...SPECIALS) })
export const floatDtype = fc.constantFrom<DType>('float32', 'float32', 'float32', 'float64')
export const anyDtype = fc.constantFrom<DType>('float32', 'float32', 'float32', 'float32', 'float64', 'int32', 'bool')
export const garbage = fc.constantFrom<unknown>(...GARBAGE)

const dim = fc.oneof({ weight: 8, arbitrary: fc.integer({ min: 1, max: 4 }) }, { weight: 1, arbitrary: fc.constant(0) })
export const shapeArb = (minRank = 0, maxRank = 3): fc.Arbitrary<number[]> => fc.array(dim, { minLength: minRank, maxLength: maxRank })

/** A shape that broadcasts with `s` most of the time: equal, a suffix, ones mixed in, or anything. */
export const relatedShape = (s: readonly number[]): fc.Arbitrary<number[]> => fc.oneof(
  { weight: 4, arbitrary: fc.constant<number[]>([...s]) },
  { weight: 2, arbitrary: fc.nat(s.length).map((k): number[] => s.slice(k)) },
  { weight: 2, arbitrary: fc.array(fc.boolean(), { minLength: s.length, maxLength: s.length }).map((m) => s.map((d, i) => (m[i] ? 1 : d))) },
  { weight: 1, arbitrary: shapeArb() },
)

const sizeOf = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1)

const valuesFor = (dtype: DType, n: number): fc.Arbitrary<number[]> =>
  dtype === 'bool' ? fc.array(fc.constantFrom(0, 1), { minLength: n, maxLength: n })
    : dtype === 'int32' ? fc.array(fc.integer({ min: -4, max: 5 }), { minLength: n, maxLength: n })
      : fc.array(valueArb, { minLength: n, maxLength: n })

/** A tensor spec of one dtype and shape. */
export const tOf = (dtype: DType, shape: readonly number[]): fc.Arbitrary<Spec> =>
  valuesFor(dtype, sizeOf(shape)).map((values) => ({ k: 'T', dtype, shape: [...shape], values }))

/** A tensor of a dtype drawn from `dtypes` and a shape drawn from `shapes`. */
export const tArb = (dtypes: fc.Arbitrary<DType> = anyDtype, shapes: fc.Arbitrary<number[]> = shapeArb()): fc.Arbitrary<Spec> =>
  fc.tuple(dtypes, shapes).chain(([d, s]) => tOf(d, s))

export const lit = (a: fc.Arbitrary<unknown>): fc.Arbitrary<Spec> => a.map((v) => ({ k: 'L', v }))
export const L = (v: unknown): Spec => ({ k: 'L', v })

/** Where a tensor is expected: mostly a tensor, sometimes a JS number, sometimes garbage. */
export const tensorish = (t: fc.Arbitrary<Spec>): fc.Arbitrary<Spec> => fc.oneof(
  { weight: 14, arbitrary: t },
  { weight: 1, arbitrary: lit(fc.constantFrom(...POOL)) },
  { weight: 1, arbitrary: lit(garbage) },
)

/** A dtype argument: mostly a real dtype, sometimes a wrong one. */
export const dtypeSpec = fc.oneof(
  { weight: 8, arbitrary: anyDtype.map((v): Spec => ({ k: 'D', v })) },
  { weight: 1, arbitrary: lit(fc.constantFrom('float16', 'int8', 1, null)) },
)

/** An `{ dtype }` option object, or nothing. */
export const dtypeOpts = fc.oneof(
  { weight: 2, arbitrary: fc.constant(L(undefined)) },
  { weight: 3, arbitrary: dtypeSpec.map((d): Spec => ({ k: 'O', fields: { dtype: d } })) },
)

/** One axis for a tensor of rank r: mostly valid, sometimes out of range or not an integer. */
export const axisArb = (r: number): fc.Arbitrary<unknown> => fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: -Math.max(r, 1), max: Math.max(r - 1, 0) }) },
  { weight: 2, arbitrary: fc.constantFrom(r, -r - 1, 7) },
  { weight: 1, arbitrary: fc.constantFrom(0.5, NaN, Infinity, '0', null) },
)

/** Axes for a reduction: none, one, several (repeats possible), or junk. */
export const axesArb = (r: number): fc.Arbitrary<unknown> => fc.oneof(
  { weight: 3, arbitrary: fc.constant(undefined) },
  { weight: 4, arbitrary: axisArb(r) },
  { weight: 3, arbitrary: fc.array(axisArb(r), { maxLength: 3 }) },
)

export const boolish = fc.oneof({ weight: 6, arbitrary: fc.boolean() }, { weight: 1, arbitrary: fc.constantFrom<unknown>(undefined, 1, 'yes') })

/** An option object from field arbitraries (each field sometimes left out), or nothing, or null. */
export const optsArb = (fields: Record<string, fc.Arbitrary<unknown>>): fc.Arbitrary<Spec> => fc.oneof(
  { weight: 1, arbitrary: fc.constant(L(undefined)) },
  { weight: 8, arbitrary: fc.record(Object.fromEntries(Object.entries(fields).map(([k, a]) => [k, lit(a)])), { requiredKeys: [] }).map((f): Spec => ({ k: 'O', fields: f as Record<string, Spec> })) },
  { weight: 1, arbitrary: lit(fc.constantFrom(null, 3)) },
)

/** A shape argument: real shapes, huge ones, negative or fractional dimensions, junk. */
export const shapeArgArb = fc.oneof(
  { weight: 10, arbitrary: shapeArb() },
  { weight: 2, arbitrary: fc.array(fc.constantFrom(...HUGE, 1, 3), { minLength: 1, maxLength: 3 }) },
  { weight: 1, arbitrary: fc.constantFrom<unknown>([-1], [1.5], [NaN], [Infinity], 'x', null, 3, [[2]]) },
)

// ---------------------------------------------------------------------------------------------
// Running and checking

export type Outcome = { readonly ok: true; readonly out: readonly Tensor[] } | { readonly ok: false; readonly err: unknown }

/** Calls `fn` on built args with `backend` current; a tensor or a list of tensors counts as a result. */
export const run = (fn: (...a: never[]) => unknown, args: readonly Spec[], backend: string, promote: boolean): Outcome => {
  try {
    return withBackend(backend, () => {
      const r = fn(...(args.map((a) => build(a, promote)) as never[]))
      if (r instanceof Tensor) return { ok: true, out: [r] } as const
      if (Array.isArray(r) && r.every((t) => t instanceof Tensor)) return { ok: true, out: r as Tensor[] } as const
      throw new Error(`returned ${String(r)}, not a tensor or a list of tensors`)
    })
  } catch (err) {
    return { ok: false, err }
  }
}

export interface Tol { readonly rtol: number; readonly atol: number }

/** Tolerance for float32 results: `exact` after rounding the reference to float32, else scaled. */
export const tolFor = (kind: 'exact' | 'close' | 'accum', args: readonly Spec[]): Tol => {
  if (kind === 'exact') return { rtol: 0, atol: 0 }
  let m = 0, n = 1
  const visit = (s: Spec): void => {
    if (s.k === 'T') {
      n = Math.max(n, s.values.length)
      for (const v of s.values) if (Number.isFinite(v)) m = Math.max(m, Math.abs(v))
    } else if (s.k === 'A') s.items.forEach(visit)
    else if (s.k === 'L' && typeof s.v === 'number' && Number.isFinite(s.v)) m = Math.max(m, Math.abs(s.v))
  }
  args.forEach(visit)
  return kind === 'close' ? { rtol: 2e-6, atol: 1e-6 * (1 + m) } : { rtol: 1e-5, atol: 2e-6 * (1 + m) ** 2 * (1 + n) }
}

/** Why `got` (a backend's result) differs from the reference `want`, or undefined when it matches. */
export const mismatch = (got: readonly Tensor[], want: readonly Tensor[], tol: Tol): string | undefined => {
  if (got.length !== want.length) return `${got.length} outputs, reference ${want.length}`
  for (let o = 0; o < got.length; o++) {
    const g = got[o], w = want[o]
    if (g.shape.join(',') !== w.shape.join(',')) return `output ${o}: shape [${g.shape}] vs reference [${w.shape}]`
    const widened = g.dtype === 'float32' && w.dtype === 'float64'
    if (g.dtype !== w.dtype && !widened) return `output ${o}: dtype ${g.dtype} vs reference ${w.dtype}`
    const a = g.dataSync(), b = w.dataSync()
    for (let i = 0; i < a.length; i++) {
      const x = a[i], y = widened ? Math.fround(b[i]) : b[i]
      const bad = Number.isNaN(x) || Number.isNaN(y) ? Number.isNaN(x) !== Number.isNaN(y)
        : !Number.isFinite(x) || !Number.isFinite(y) ? x !== y
          : Math.abs(x - y) > tol.atol + tol.rtol * Math.abs(y)
      if (bad) return `output ${o} [${g.shape}] ${g.dtype}: flat index ${i} is ${x}, reference ${b[i]} (rtol ${tol.rtol}, atol ${tol.atol})`
    }
  }
  return undefined
}

/** Why an exception is not an acceptable error for `names` (catalogue code, op named, shapes named), or undefined. */
export const badError = (e: unknown, names: readonly string[]): string | undefined => {
  if (!(e instanceof PuregradError)) return `threw ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}, not a PuregradError`
  if (!(e.code in ERROR_CODES)) return `code ${String(e.code)} is not in ERROR_CODES`
  if (!names.some((n) => e.message.includes(n))) return `message does not name the op (${names.join(' or ')}): ${e.message}`
  if ((e.code === 'SHAPE_MISMATCH' || e.code === 'BROADCAST') && !/\[[\d,]*\]/.test(e.message)) return `${e.code} without a shape: ${e.message}`
  return undefined
}

/** Whether a backend still works after a failure: an elementwise op and a matmul (wasm GEMM on wasm). */
export const healthy = (backend: string): string | undefined => {
  try {
    return withBackend(backend, () => {
      const s = Array.from(add(tensor([1, 2]), tensor([3, 4])).dataSync())
      const m = Array.from(matmul(ones([5, 3]), ones([3, 2])).dataSync())
      return s.join() === '4,6' && m.every((v) => v === 3) && m.length === 10 ? undefined : `wrong results ${s} / ${m}`
    })
  } catch (e) {
    return `a simple op threw ${String(e)}`
  }
}
