/**
 * Fuzzing parameter records on the js and wasm backends: random nested records (objects, arrays,
 * tensor leaves) and one mutation each (a key dropped or added, an array grown, a leaf wrapped in
 * an array, a leaf turned int32). Gradients of the mutated record, fed to optimizers made for the
 * original one (`update`, `applyUpdates`), and tangents of the wrong structure (`jvp`) must throw
 * TREE_MISMATCH naming the first differing path; an int32 leaf is NON_DIFFERENTIABLE naming its
 * path. After each failure a correct training step still works. Seeds as in fuzz-support.ts.
 */

import fc from 'fast-check'
import { describe, it } from 'vitest'
import {
  add, grad, jvp, PuregradError, scalar, sum, tensor, treeLeaves, withBackend, type Tensor,
} from '../../src/index.js'
import { adam, adamw, applyUpdates, chain, clipByGlobalNorm, lion, rmsprop, sgd, type GradientTransformation } from '../../src/optim/index.js'
import { BACKENDS, RUNS, seedFor } from './fuzz-support.js'

type Skel = { t: 'leaf'; shape: number[]; int?: boolean } | { t: 'obj'; kids: Record<string, Skel> } | { t: 'arr'; kids: Skel[] }

const leafArb: fc.Arbitrary<Skel> = fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 2 }).map((shape) => ({ t: 'leaf', shape }))
const skelArb: fc.Arbitrary<Skel> = fc.letrec<{ node: Skel }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', maxDepth: 3 },
    { weight: 3, arbitrary: leafArb },
    { weight: 2, arbitrary: fc.dictionary(fc.constantFrom('w', 'b', 'layers', 'gamma', 'beta', 'emb'), tie('node'), { minKeys: 1, maxKeys: 3 }).map((kids): Skel => ({ t: 'obj', kids })) },
    { weight: 1, arbitrary: fc.array(tie('node'), { minLength: 1, maxLength: 3 }).map((kids): Skel => ({ t: 'arr', kids })) },
  ),
})).node
// The root is an object, as parameter records are.
const rootArb = fc.dictionary(fc.constantFrom('l1', 'l2', 'head', 'w'), skelArb, { minKeys: 1, maxKeys: 3 }).map((kids): Skel => ({ t: 'obj', kids }))

/** Every node with its path (tree.ts's spelling: `.key`, `[i]`). */
const nodes = (s: Skel, path = 'params'): [string, Skel][] => [
  [path, s],
  ...(s.t === 'obj' ? Object.entries(s.kids).flatMap(([k, v]) => nodes(v, `${path}.${k}`)) : s.t === 'arr' ? s.kids.flatMap((v, i) => nodes(v, `${path}[${i}]`)) : []),
]

type Kind = 'drop' | 'extra' | 'grow' | 'wrap' | 'int'
interface Mutation { readonly skel: Skel; readonly kind: Kind; readonly fragment: string }

/** The skeleton with node `target` replaced by `f(node)`. */
const replace = (s: Skel, target: Skel, f: (n: Skel) => Skel): Skel =>
  s === target ? f(s) : s.t === 'obj' ? { t: 'obj', kids: Object.fromEntries(Object.entries(s.kids).map(([k, v]) => [k, replace(v, target, f)])) }
    : s.t === 'arr' ? { t: 'arr', kids: s.kids.map((v) => replace(v, target, f)) } : s

const mutate = (root: Skel, pick: number, kind: Kind): Mutation | undefined => {
  const all = nodes(root)
  const fits = all.filter(([, n]) => (kind === 'drop' || kind === 'extra' ? n.t === 'obj' : kind === 'grow' ? n.t === 'arr' : n.t === 'leaf'))
  if (fits.length === 0) return undefined
  const [path, n] = fits[pick % fits.length]
  switch (kind) {
    case 'drop': {
      if (n.t !== 'obj') return undefined
      const k = Object.keys(n.kids).sort()[0]
      return { kind, skel: replace(root, n, () => ({ t: 'obj', kids: Object.fromEntries(Object.entries(n.kids).filter(([j]) => j !== k)) })), fragment: `${path}: missing key "${k}"` }
    }
    case 'extra':
      return { kind, skel: replace(root, n, (m) => ({ t: 'obj', kids: { ...(m as { kids: Record<string, Skel> }).kids, zz: { t: 'leaf', shape: [2] } } })), fragment: `${path}: extra key "zz"` }
    case 'grow': {
      const len = (n as { kids: Skel[] }).kids.length
      return { kind, skel: replace(root, n, (m) => ({ t: 'arr', kids: [...(m as { kids: Skel[] }).kids, { t: 'leaf', shape: [1] }] })), fragment: `${path}: expected an array of length ${len}, got ${len + 1}` }
    }
    case 'wrap':
      return { kind, skel: replace(root, n, (m) => ({ t: 'arr', kids: [m] })), fragment: `${path}: expected a tensor, got an array` }
    case 'int':
      return { kind, skel: replace(root, n, (m) => ({ t: 'leaf', shape: (m as { shape: number[] }).shape, int: true })), fragment: path }
  }
}

/** A record from a skeleton (values from a counter, so every leaf differs). */
const materialize = (s: Skel, seed: { i: number }): unknown => {
  if (s.t === 'leaf') {
    const n = s.shape.reduce((a, b) => a * b, 1)
    const v = Array.from({ length: n }, () => ((seed.i++ % 7) - 3) / 4)
    return tensor(v, { shape: s.shape, dtype: s.int === true ? 'int32' : 'float32' })
  }
  if (s.t === 'arr') return s.kids.map((k) => materialize(k, seed))
  return Object.fromEntries(Object.entries(s.kids).map(([k, v]) => [k, materialize(v, seed)]))
}

const loss = (p: unknown): Tensor => treeLeaves<Tensor>(p).reduce((acc, l) => add(acc, sum(l.mul(l))), scalar(0))

/** The optimizers under test, erased to one shape (their states differ). */
type AnyOpt = GradientTransformation<unknown, unknown>
const OPTIMIZERS: Record<string, () => AnyOpt> = {
  sgd: () => sgd<unknown>(0.1) as AnyOpt,
  adam: () => adam<unknown>(0.01) as AnyOpt,
  'clip+adamw': () => chain(clipByGlobalNorm(1), adamw<unknown>(0.01)) as unknown as AnyOpt,
  rmsprop: () => rmsprop<unknown>(0.01) as AnyOpt,
  lion: () => lion<unknown>(0.001) as AnyOpt,
}

/** Runs `f`, which must throw a PuregradError with `code` whose message contains `fragment`. */
const expectThrow = (what: string, f: () => unknown, code: string, fragment: string): void => {
  let caught: unknown
  try { f() } catch (e) { caught = e }
  if (!(caught instanceof PuregradError)) throw new Error(`${what}: expected ${code} (${fragment}), got ${caught === undefined ? 'no error' : String(caught)}`)
  if (caught.code !== code || !caught.message.includes(fragment)) throw new Error(`${what}: expected ${code} naming '${fragment}', got ${caught.code}: ${caught.message}`)
}

const kindArb = fc.constantFrom<Kind>('drop', 'extra', 'grow', 'wrap', 'int')

for (const backend of BACKENDS) {
  describe(`parameter records on ${backend} (${RUNS} runs each)`, () => {
    for (const [name, make] of Object.entries(OPTIMIZERS)) {
      it(`grad of a mutated record through ${name}.update and applyUpdates: TREE_MISMATCH (NON_DIFFERENTIABLE for int32) naming the path`, () => {
        fc.assert(fc.property(rootArb, fc.nat(), kindArb, (root, pick, kind) => {
          const m = mutate(root, pick, kind)
          if (m === undefined) return
          withBackend(backend, () => {
            const params = materialize(root, { i: 0 })
            const bad = materialize(m.skel, { i: 0 })
            const opt = make()
            const state = opt.init(params)
            if (m.kind === 'int') {
              expectThrow('grad', () => grad(loss)(bad), 'NON_DIFFERENTIABLE', `grad: ${m.fragment}: cannot differentiate`)
              expectThrow('init', () => make().init(bad), 'DTYPE_MISMATCH', m.fragment)
            } else {
              const g = grad(loss)(bad)
              // The optimizers compare the gradients with the parameters before any op, and
              // applyUpdates the updates: the error names the record that differs.
              const as = (root: string): string => `${root}${m.fragment.slice('params'.length)}`
              expectThrow(`${name}.update`, () => opt.update(g, state, params), 'TREE_MISMATCH', as('grads'))
              expectThrow('applyUpdates', () => applyUpdates(params, bad), 'TREE_MISMATCH', as('updates'))
            }
            // The failure left nothing behind: a correct step still works and changes the parameters.
            const [u, next] = opt.update(grad(loss)(params), state, params)
            const stepped = applyUpdates(params, u)
            const before = treeLeaves<Tensor>(params).map((t) => Array.from(t.dataSync()))
            const after = treeLeaves<Tensor>(stepped).map((t) => Array.from(t.dataSync()))
            if (!after.flat().every(Number.isFinite) || JSON.stringify(after) === JSON.stringify(before) && before.flat().some((v) => v !== 0)) {
              throw new Error(`a correct ${name} step after the failure did not update the parameters`)
            }
            void next
          })
        }), { seed: seedFor(`records-${name}@${backend}`), numRuns: RUNS })
      })
    }

    it('jvp with tangents of another structure: TREE_MISMATCH naming the path (a mismatched dtype names it too)', () => {
      fc.assert(fc.property(rootArb, fc.nat(), kindArb, (root, pick, kind) => {
        const m = mutate(root, pick, kind)
        if (m === undefined) return
        withBackend(backend, () => {
          const params = materialize(root, { i: 0 })
          const tangent = materialize(m.skel, { i: 1 })
          if (m.kind === 'int') expectThrow('jvp', () => jvp(loss, [params], [tangent]), 'SHAPE_MISMATCH', `${m.fragment}: tangent must match`)
          else expectThrow('jvp', () => jvp(loss, [params], [tangent]), 'TREE_MISMATCH', m.fragment)
          const [value, dot] = jvp(loss, [params], [params])
          if (!(Math.abs(dot.item() - 2 * value.item()) <= 1e-3 * (1 + Math.abs(value.item())))) {
            throw new Error(`after the failure, jvp of sum(x^2) along x gave ${dot.item()}, expected ${2 * value.item()}`)
          }
        })
      }), { seed: seedFor(`records-jvp@${backend}`), numRuns: RUNS })
    })
  })
}
