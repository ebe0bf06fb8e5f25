/**
 * API fuzzing of every tensor-returning export (fuzz-table.ts) on the js and wasm backends, with
 * fixed seeds (PUREGRAD_FUZZ_RUNS / PUREGRAD_FUZZ_SEED to run longer or elsewhere). Each call
 * either returns tensors on the backend it ran on whose values match the same call on the float64
 * JS reference (float32 inputs widened; within float32 tolerance), and then its gradient matches
 * the reference's too; or it throws a PuregradError with a catalogue code whose message names the
 * op (and a shape, for shape errors). After every failure the backend must still compute.
 */

import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import * as pg from '../../src/index.js'
import { add, grad, sum, Tensor, withBackend } from '../../src/index.js'
import { expectError } from '../helpers/allclose.js'
import { EXEMPT, fnOf, TABLE, type OpCase } from './fuzz-table.js'
import {
  BACKENDS, badError, build, describeSpec, healthy, mismatch, REF, run, RUNS, seedFor, tolFor, type Spec,
} from './fuzz-support.js'

const isFloatT = (s: Spec): boolean => s.k === 'T' && (s.dtype === 'float32' || s.dtype === 'float64')

/** The argument to differentiate: the first float tensor, or a non-empty list of float tensors. */
const diffIndex = (args: readonly Spec[]): number =>
  args.findIndex((a) => isFloatT(a) || (a.k === 'A' && a.items.length > 0 && a.items.every(isFloatT)))

/** grad of the sum of every output with respect to argument `i`, as a list of tensors. */
const gradient = (fn: (...a: never[]) => unknown, args: readonly Spec[], i: number, backend: string, promote: boolean): Tensor[] =>
  withBackend(backend, () => {
    const built = args.map((a) => build(a, promote))
    const f = (v: unknown): Tensor => {
      const a = built.slice()
      a[i] = v
      const r = fn(...(a as never[]))
      const outs = r instanceof Tensor ? [r] : (r as Tensor[])
      return outs.map((o) => sum(o)).reduce((x, y) => add(x, y))
    }
    const g = grad(f)(built[i])
    return g instanceof Tensor ? [g] : (g as Tensor[])
  })

const check = (name: string, c: OpCase, args: Spec[], backend: string): void => {
  const fn = fnOf(name)
  const call = `${name}(${args.map(describeSpec).join(', ')}) on ${backend}`
  const got = run(fn, args, backend, false)
  if (!got.ok) {
    const why = badError(got.err, [name, ...(c.alsoNames ?? [])])
    if (why !== undefined) throw new Error(`${call}: ${why}`)
    const sick = healthy(backend)
    if (sick !== undefined) throw new Error(`after ${call} failed with ${String(got.err)}, the backend is broken: ${sick}`)
    return
  }
  for (const t of got.out) {
    const b = (t.concrete() as unknown as { backend: { name: string } }).backend.name
    if (b !== backend) throw new Error(`${call}: the result lives on '${b}'`)
  }
  const want = run(fn, args, REF, true)
  if (!want.ok) throw new Error(`${call} succeeded, but on the float64 reference it threw ${String(want.err)}`)
  const bad = mismatch(got.out, want.out, tolFor(c.tol, args))
  if (bad !== undefined) throw new Error(`${call}: ${bad}`)

  const i = diffIndex(args)
  if (i < 0 || got.out.length === 0 || !got.out.every((t) => t.dtype === 'float32' || t.dtype === 'float64')) return
  let g: Tensor[]
  try {
    g = gradient(fn, args, i, backend, false)
  } catch (e) {
    throw new Error(`grad of ${call} with respect to argument ${i} threw ${String(e)}`)
  }
  const gr = gradient(fn, args, i, REF, true)
  const gbad = mismatch(g, gr, tolFor('accum', args))
  if (gbad !== undefined) throw new Error(`grad of ${call} with respect to argument ${i}: ${gbad}`)
}

describe('the fuzz table', () => {
  it('lists every export of src/index.ts, or exempts it with a reason', () => {
    const exported = Object.keys(pg)
    const missing = exported.filter((n) => !(n in TABLE) && !(n in EXEMPT))
    expect(missing, 'exports neither fuzzed nor exempted: add them to TABLE in fuzz-table.ts (or to EXEMPT, with a reason)').toEqual([])
    expect(Object.keys(TABLE).filter((n) => typeof fnOf(n) !== 'function'), 'TABLE entries that are not exported functions').toEqual([])
    expect(Object.keys(EXEMPT).filter((n) => !exported.includes(n)), 'EXEMPT entries that are not exports').toEqual([])
    expect(Object.keys(TABLE).filter((n) => n in EXEMPT), 'both fuzzed and exempted').toEqual([])
  })
})

describe('dimensions too large to allocate: OUT_OF_MEMORY naming the op, before allocating, backend still usable', () => {
  const huge: [string, () => unknown][] = [
    ['zeros', () => pg.zeros([2 ** 20, 2 ** 20])],
    ['broadcastTo', () => pg.broadcastTo(pg.scalar(1), [2 ** 20, 2 ** 20])],
    ['matmul', () => pg.matmul(pg.zeros([2 ** 16, 1]), pg.zeros([1, 2 ** 16]))],
    ['oneHot', () => pg.oneHot(pg.tensor([0], { dtype: 'int32' }), 2 ** 40)],
    ['arange', () => pg.arange(0, 2 ** 40)],
    ['pad', () => pg.pad(pg.zeros([2]), [[2 ** 40, 0]])],
    ['eye', () => pg.eye(2 ** 31)],
  ]
  for (const backend of BACKENDS) {
    it(`on ${backend}`, () => {
      for (const [op, f] of huge) {
        const e = expectError(() => withBackend(backend, f), 'OUT_OF_MEMORY', op)
        expect(e.op).toBe(op)
        expect(healthy(backend)).toBeUndefined()
      }
    })
  }
  it('on wasm, a matmul whose scratch would pass 2 GiB (a trap before the fix) is OUT_OF_MEMORY naming matmul', () => {
    // The operands are small; the 40000 x 16384 float32 product needs 2.6 GB of wasm scratch.
    expectError(() => withBackend('wasm', () => pg.matmul(pg.ones([40000, 16]), pg.ones([16, 16384]))), 'OUT_OF_MEMORY', 'matmul', 'wasm scratch')
    expect(healthy('wasm')).toBeUndefined()
  })
})

for (const backend of BACKENDS) {
  describe(`fuzz on ${backend} (${RUNS} runs per op)`, () => {
    for (const [name, c] of Object.entries(TABLE)) {
      it(name, () => {
        fc.assert(fc.property(c.args, (args) => check(name, c, args, backend)), { seed: seedFor(`${name}@${backend}`), numRuns: RUNS })
      })
    }
  })
}
