/**
 * The edge semantics documented in docs/reliability.md ("Edge semantics"), value for value, on the
 * js and wasm backends in float32 and float64: derivatives at kinks (relu, abs, maximum/minimum/max
 * ties, clip bounds), `where` with NaN or infinities on the unpicked side (no NaN leaks into the
 * gradient, reverse and forward mode), sqrt and log at 0, softmax, logSumExp and
 * softmaxCrossEntropy with -Infinity logits (value, gradient, forward mode and second order), and
 * integer or bool leaves under grad (NON_DIFFERENTIABLE naming the path). Last, the cost side of
 * the zero-cotangent rule: its masking ops are built only when needed (counted kernel calls).
 */

import { afterEach, describe, expect, it } from 'vitest'
import {
  abs, clip, createJsBackend, div, exp, grad, greater, hessian, isFinite, jvp, log, log1p, logSoftmax, logSumExp, max, maximum, minimum, mul,
  norm, notEqual, pow, registerBackend, relu, setDebugNans, sign, softmax, sqrt, sub, sum, tanh, tensor, valueAndGrad, where, withBackend,
  type DType, type Tensor,
} from '../../src/index.js'
import { softmaxCrossEntropy } from '../../src/layers/losses.js'
import { expectError } from '../helpers/allclose.js'
import { BACKENDS } from './fuzz-support.js'

afterEach(() => setDebugNans(false))

const vals = (t: Tensor): number[] => Array.from(t.dataSync())
/** Exact equality that tells -0 from 0 only when asked, and NaN equals NaN. */
const same = (got: number[], want: number[]): void => {
  expect(got.length).toBe(want.length)
  got.forEach((g, i) => {
    const w = want[i]
    if (Number.isNaN(w)) expect(g, `index ${i}`).toBeNaN()
    else expect(g, `index ${i} of [${got}]`).toBe(w === 0 ? g === 0 ? g : w : w)
  })
}
const g1 = (f: (x: Tensor) => Tensor) => (xs: number[], dtype: DType): number[] => vals(grad((x: Tensor) => sum(f(x)))(tensor(xs, { dtype })))

for (const backend of BACKENDS) {
  for (const dtype of ['float32', 'float64'] as const) {
    const on = <T>(f: () => T): T => withBackend(backend, f)
    const t = (xs: number[]): Tensor => tensor(xs, { dtype })

    describe(`edge semantics on ${backend}, ${dtype}`, () => {
      describe('kinks', () => {
        it("relu'(0) = 0, in both modes", () => on(() => {
          same(g1(relu)([-1, 0, 2], dtype), [0, 0, 1])
          same(vals(jvp(relu, [t([-1, 0, 2])], [t([1, 1, 1])])[1]), [0, 0, 1])
        }))

        it("abs'(0) = sign(0) = 0", () => on(() => {
          same(g1(abs)([-2, -0, 0, 3], dtype), [-1, 0, 0, 1])
          same(vals(sign(t([-0, 0]))), [0, 0])
        }))

        it('maximum and minimum split a tie 0.5 / 0.5; max over a slice splits it equally among the ties', () => on(() => {
          const [ga, gb] = grad((a: Tensor, b: Tensor) => sum(maximum(a, b)), { argnums: [0, 1] })(t([1, 2, 3]), t([1, 1, 4]))
          same(vals(ga), [0.5, 1, 0]); same(vals(gb), [0.5, 0, 1])
          const [ha, hb] = grad((a: Tensor, b: Tensor) => sum(minimum(a, b)), { argnums: [0, 1] })(t([1, 2]), t([1, 1]))
          same(vals(ha), [0.5, 0]); same(vals(hb), [0.5, 1])
          same(vals(grad((x: Tensor) => max(x))(t([1, 3, 3]))), [0, 0.5, 0.5])
          same(vals(grad((x: Tensor) => max(x))(t([2, 2, 2, 2]))), [0.25, 0.25, 0.25, 0.25])
          // Forward mode agrees: the tangent of a tie is the mean of the tied tangents.
          same(vals(jvp((x: Tensor) => max(x), [t([1, 3, 3])], [t([5, 2, 4])])[1]), [3])
        }))

        it('clip has gradient 1 inside, 0 outside and 0.5 exactly at a bound', () => on(() => {
          same(g1((x) => clip(x, -1, 1))([-2, -1, 0, 1, 2], dtype), [0, 0.5, 1, 0.5, 0])
        }))
      })

      describe('where with NaN or infinities on the unpicked side', () => {
        it('sqrt and log of non-positive numbers: no NaN in the gradient', () => on(() => {
          same(g1((x) => where(greater(x, 0), sqrt(x), 0))([-1, 0, 4], dtype), [0, 0, 0.25])
          same(g1((x) => where(greater(x, 0), log(x), 0))([-1, 0, 2], dtype), [0, 0, 0.5])
          same(g1((x) => where(greater(x, 0), pow(x, t([0.5])), 0))([-1, 0, 4], dtype), [0, 0, 0.25])
        }))

        it('x log x at 0 (entropy), 1 / 0, and an exp that overflows (softplus)', () => on(() => {
          same(g1((x) => where(greater(x, 0), mul(x, log(x)), 0))([0, 1], dtype), [0, 1])
          same(g1((x) => where(notEqual(x, 0), div(1, x), 0))([0, 2], dtype), [0, -0.25])
          const softplus = (x: Tensor): Tensor => where(greater(x, 20), x, log1p(exp(x)))
          same(g1(softplus)([1000, 0], dtype), [1, 0.5])
        }))

        it('forward mode selects the tangent, so nothing leaks there either', () => on(() => {
          const [y, dy] = jvp((x: Tensor) => where(greater(x, 0), sqrt(x), 0), [t([-1, 0, 4])], [t([1, 1, 1])])
          same(vals(y), [0, 0, 2]); same(vals(dy), [0, 0, 0.25])
        }))

        it('the documented limit: a NaN carried through tanh leaks; masking the input (double where) avoids it', () => on(() => {
          const leaky = g1((x) => where(greater(x, 0), tanh(log(x)), 0))([-1, 2], dtype)
          expect(leaky[0]).toBeNaN()
          const safe = g1((x) => {
            const pos = greater(x, 0)
            return where(pos, tanh(log(where(pos, x, 1))), 0)
          })([-1, 2], dtype)
          expect(safe[0]).toBe(0)
          expect(safe[1]).toBeCloseTo((1 - Math.tanh(Math.log(2)) ** 2) / 2, 5)
        }))

        it('setDebugNans still reports the 0/0 inside the rule, naming it', () => on(() => {
          setDebugNans(true)
          expectError(() => grad((x: Tensor) => sum(where(greater(x, 0), sqrt(x), 0)))(t([0, 4])), 'NON_FINITE', 'inside the gradient of sqrt')
        }))
      })

      describe('singular points (a non-zero cotangent)', () => {
        it("sqrt'(0) = Infinity and log'(0) = Infinity; norm'(0) is NaN (Infinity * 0)", () => on(() => {
          same(g1(sqrt)([0, 4], dtype), [Infinity, 0.25])
          same(g1(log)([0, 2], dtype), [Infinity, 0.5])
          same(vals(grad((x: Tensor) => norm(x))(t([0, 0]))), [NaN, NaN])
        }))
      })

      describe('-Infinity logits', () => {
        it('softmax gives exactly 0 probability and finite gradients (exactly 0 at the masked logit)', () => on(() => {
          const p = vals(softmax(t([-Infinity, 0, 1])))
          expect(p[0]).toBe(0)
          expect(p[1] + p[2]).toBeCloseTo(1, 6)
          const g = vals(grad((x: Tensor) => sum(mul(softmax(x), t([1, 2, 3]))))(t([-Infinity, 0, 1])))
          expect(g.every(Number.isFinite)).toBe(true)
          expect(Math.abs(g[0])).toBe(0)
        }))

        it('logSoftmax is -Infinity there with a finite gradient; logSumExp ignores it', () => on(() => {
          const ls = vals(logSoftmax(t([-Infinity, 0, 1])))
          expect(ls[0]).toBe(-Infinity)
          const g = vals(grad((x: Tensor) => sum(mul(logSoftmax(x), t([0, 1, 0]))))(t([-Infinity, 0, 1])))
          expect(g.every(Number.isFinite)).toBe(true)
          expect(Math.abs(g[0])).toBe(0)
          same(vals(logSumExp(t([-Infinity, 0]))), [0])
          same(vals(grad((x: Tensor) => logSumExp(x))(t([-Infinity, 0]))), [0, 1])
        }))

        describe('softmaxCrossEntropy with a -Infinity logit', () => {
          // Two examples over 3 classes, each with one masked (-Infinity) class that is not the label.
          const rows = [[-Infinity, 0, 1], [2, -Infinity, 0.5]]
          const label = [2, 0]
          const logits = (): Tensor => tensor(rows, { dtype })
          const ints = (): Tensor => tensor(label, { dtype: 'int32' })
          const oneHotRows = (): Tensor => tensor(label.map((l) => [0, 1, 2].map((c) => (c === l ? 1 : 0))), { dtype })
          const p = rows.map((r) => {
            const z = r.reduce((a, v) => a + Math.exp(v), 0)
            return r.map((v) => Math.exp(v) / z)
          })
          const lossOf = (r: number[], l: number): number => Math.log(r.reduce((a, v) => a + Math.exp(v), 0)) - r[l]
          const tol = dtype === 'float32' ? 1e-6 : 1e-14
          const close = (got: number[], want: number[]): void => {
            expect(got.length).toBe(want.length)
            got.forEach((g, i) => {
              expect(Number.isFinite(g), `index ${i} of [${got}] is finite`).toBe(true)
              expect(Math.abs(g - want[i]), `index ${i}: ${g} vs ${want[i]}`).toBeLessThanOrEqual(tol * (1 + Math.abs(want[i])))
            })
          }
          // d/dx mean loss = (p - onehot) / N: exactly 0 at a masked logit.
          const gradWant = p.flatMap((r, i) => r.map((v, c) => (v - (c === label[i] ? 1 : 0)) / 2))

          it('the masked class has probability 0 and adds 0: finite loss and gradient, 0 there (integer and one-hot labels)', () => on(() => {
            for (const labels of [ints(), oneHotRows()]) {
              close(vals(softmaxCrossEntropy(logits(), labels, { reduction: 'none' })), rows.map((r, i) => lossOf(r, label[i])))
              const g = vals(grad((x: Tensor) => softmaxCrossEntropy(x, labels))(logits()))
              close(g, gradWant)
              expect([g[0], g[4]]).toEqual([0, 0])
            }
          }))

          it('forward mode and second order are finite and match the closed forms', () => on(() => {
            const tangent = [[5, 1, -2], [3, 7, 0.5]]
            // jvp: mean over examples of sum_c p_c t_c - t_label (the masked tangent has weight 0).
            const jvpWant = tangent.reduce((a, t, i) => a + (t.reduce((b, v, c) => b + p[i][c] * v, 0) - t[label[i]]) / 2, 0)
            const f = (x: Tensor): Tensor => softmaxCrossEntropy(x, ints())
            close(vals(jvp(f, [logits()], [tensor(tangent, { dtype })])[1]), [jvpWant])
            // Hessian: per example (diag(p) - p p^T) / N, zero in the masked rows and columns.
            const h = vals(hessian(f)(logits()))
            const hWant = [0, 1].flatMap((i) => [0, 1, 2].flatMap((c) => [0, 1].flatMap((j) => [0, 1, 2].map((d) =>
              i !== j ? 0 : ((c === d ? p[i][c] : 0) - p[i][c] * p[i][d]) / 2))))
            close(h, hWant)
            // Reverse over reverse: the gradient of <grad f, v> is H v.
            const v = tensor(tangent, { dtype })
            const hv = vals(grad((x: Tensor) => sum(mul(grad(f)(x), v)))(logits()))
            close(hv, [0, 1].flatMap((i) => [0, 1, 2].map((c) => [0, 1, 2].reduce((a, d) => a + hWant[i * 18 + c * 6 + i * 3 + d] * tangent[i][d], 0))))
          }))

          it('a -Infinity label logit (or target mass on a masked class) gives loss +Infinity, with a finite gradient', () => on(() => {
            const wrong = tensor([0, 1], { dtype: 'int32' }) // both labels on a masked class
            same(vals(softmaxCrossEntropy(logits(), wrong, { reduction: 'none' })), [Infinity, Infinity])
            expect(vals(grad((x: Tensor) => softmaxCrossEntropy(x, wrong))(logits())).every(Number.isFinite)).toBe(true)
            const soft = tensor([[0.5, 0, 0.5], [0, 0, 1]], { dtype })
            const [a, b] = vals(softmaxCrossEntropy(logits(), soft, { reduction: 'none' }))
            expect(a).toBe(Infinity)
            close([b], [lossOf(rows[1], 2)])
          }))
        })

        it('an all -Infinity slice: softmax is NaN (0/0), logSumExp is -Infinity', () => on(() => {
          same(vals(softmax(t([-Infinity, -Infinity]))), [NaN, NaN])
          same(vals(logSumExp(t([-Infinity, -Infinity]))), [-Infinity])
          expect(vals(isFinite(softmax(t([-Infinity, 0]))))).toEqual([1, 1])
        }))
      })

      describe('integer and bool leaves', () => {
        it('grad and valueAndGrad name the path of an int32 or bool leaf (NON_DIFFERENTIABLE)', () => on(() => {
          const params = { layers: [{ w: t([1, 2]) }], steps: tensor([3], { dtype: 'int32' }) }
          const f = (p: typeof params): Tensor => sum(p.layers[0].w)
          expectError(() => grad(f)(params), 'NON_DIFFERENTIABLE', 'grad: params.steps: cannot differentiate with respect to an int32 tensor')
          const flags = { w: t([1]), mask: { on: tensor([true]) } }
          expectError(() => valueAndGrad((p: typeof flags) => sum(p.w))(flags), 'NON_DIFFERENTIABLE', 'valueAndGrad: params.mask.on: cannot differentiate with respect to a bool tensor')
          expectError(() => jvp((x: Tensor) => x, [tensor([1], { dtype: 'int32' })], [tensor([1], { dtype: 'int32' })]), 'NON_DIFFERENTIABLE', 'jvp: params')
          // Integer data goes in a non-differentiated argument instead.
          const g = grad((w: Tensor, ix: Tensor) => sum(mul(w, ix.cast(dtype))))(t([1, 2]), tensor([3, 4], { dtype: 'int32' }))
          same(vals(g), [3, 4])
        }))
      })
    })
  }
}

describe('zero cotangents: the NaN masking is built only when a contribution holds a NaN', () => {
  // Two js backends: one reads synchronously (the rules scan each contribution on the host), one
  // claims it cannot (as WebGPU: the rules always build the masking ops). Same values either way.
  const scanned = createJsBackend({ name: 'edge-scanned' })
  const blind = createJsBackend({ name: 'edge-no-sync-read' })
  registerBackend(scanned)
  registerBackend({ ...blind, capabilities: { ...blind.capabilities, syncRead: false } })
  const cases: [string, (x: Tensor) => Tensor, number[], number[]][] = [
    ['where(x > 0, sqrt(x), 0)', (x) => where(greater(x, 0), sqrt(x), 0), [-1, 0, 4], [0, 0, 0.25]],
    ['where(x > 0, x log x, 0)', (x) => where(greater(x, 0), mul(x, log(x)), 0), [0, 1], [0, 1]],
    ['x * y with y = 3 - x, both traced', (x) => mul(x, sub(3, x)), [1, 2], [1, -1]],
  ]
  const masks = (b: { stats: { kernelCalls: Partial<Record<string, number>> } }): number => (b.stats.kernelCalls.equal ?? 0) + (b.stats.kernelCalls.notEqual ?? 0)

  for (const [name, f, xs, want] of cases) {
    it(`${name}: same gradient with and without the host scan`, () => {
      for (const b of ['edge-scanned', 'edge-no-sync-read']) same(withBackend(b, () => vals(grad((x: Tensor) => sum(f(x)))(tensor(xs, { dtype: 'float64' })))), want)
    })
  }

  it('no masking ops where nothing is NaN (the scan), always without synchronous reads', () => {
    const g = (b: string, xs: number[]): void => { withBackend(b, () => grad((x: Tensor) => sum(mul(x, sub(3, x))))(tensor(xs))) }
    scanned.stats.reset(); blind.stats.reset()
    g('edge-scanned', [1, 2])
    g('edge-no-sync-read', [1, 2])
    expect(masks(scanned)).toBe(0)
    expect(masks(blind)).toBeGreaterThan(0)
    // A NaN in a contribution with a zero cotangent (log(0) = -Inf times 0) does build it.
    scanned.stats.reset()
    withBackend('edge-scanned', () => grad((x: Tensor) => sum(where(greater(x, 0), mul(x, log(x)), 0)))(tensor([0, 1])))
    expect(masks(scanned)).toBeGreaterThan(0)
  })

  it('a finite constant factor skips the masking on every backend (its value is known on the host)', () => {
    scanned.stats.reset(); blind.stats.reset()
    for (const b of ['edge-scanned', 'edge-no-sync-read']) withBackend(b, () => grad((x: Tensor) => sum(div(mul(x, 1.01), 4)))(tensor([1, 2])))
    expect([masks(scanned), masks(blind)]).toEqual([0, 0])
  })
})
