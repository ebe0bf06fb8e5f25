/**
 * The transformations (src/diff/transforms.ts) on float64 inputs against results derived by hand:
 * grad and valueAndGrad over parameter records (structure, types, argnums, hasAux, errors naming
 * paths), vjp and jvp over trees, jacfwd, jacrev and hessian, nested derivatives without
 * perturbation confusion, customVjp, customJvp, stopGradient, escaped tracers and debugNans. Runs
 * once per backend (js and wasm).
 */

import { afterEach, describe, expect, expectTypeOf, it } from 'vitest'
import {
  add, concat, cos, customJvp, customVjp, grad, hessian, jacfwd, jacrev, jvp, log, matmul, mul, onesLike, pow,
  setDebugNans, sin, slice, sqrt, stopGradient, sum, tanh, tensor, valueAndGrad, vjp, Tensor, scalar,
} from '../../src/index.js'
import { expectClose, expectError, seededValues } from '../helpers/allclose.js'

const T = (v: number[], shape: number[] = [v.length]): Tensor => tensor(v, { shape, dtype: 'float64' })
const at = (x: Tensor, i: number): Tensor => slice(x, [i], [1])

interface Params {
  layers: { w: Tensor; b: Tensor }[]
  scale: Tensor
  pair: [Tensor, Tensor]
}
const params = (): Params => ({
  layers: [{ w: T([1, 2], [1, 2]), b: T([0.5]) }, { w: T([3, 4], [2, 1]), b: T([-1]) }],
  scale: T([2], []),
  pair: [T([1, 2, 3]), T([7])],
})
// loss = scale * sum(l0.w * l1.w^T) + sum(l0.b) + sum(pair[0]^2), independent of l1.b and pair[1]
const loss = (p: Params): Tensor =>
  add(add(mul(p.scale, sum(mul(p.layers[0].w, p.layers[1].w.transpose()))), sum(p.layers[0].b)), sum(mul(p.pair[0], p.pair[0])))

describe('grad over parameter records', () => {
  it('returns the same structure, shapes and type as the params', () => {
    const p = params()
    const g = grad(loss)(p)
    expectTypeOf(g).toEqualTypeOf<Params>()
    expectTypeOf(g).toEqualTypeOf<typeof p>()
    expect(Object.keys(g).sort()).toEqual(['layers', 'pair', 'scale'])
    expect(g.layers).toHaveLength(2)
    expect(g.pair).toHaveLength(2)
    expect(g.layers[0].w.shape).toEqual([1, 2])
    expect(g.layers[1].w.shape).toEqual([2, 1])
    expect(g.scale.shape).toEqual([])
    expectClose(g.layers[0].w, [[6, 8]])
    expectClose(g.layers[1].w, [[2], [4]])
    expectClose(g.layers[0].b, [1])
    expectClose(g.scale, 11)
    expectClose(g.pair[0], [2, 4, 6])
  })

  it('leaves not used by f get real zero tensors', () => {
    const g = grad(loss)(params())
    expect(g.layers[1].b).toBeInstanceOf(Tensor)
    expect(g.layers[1].b.dtype).toBe('float64')
    expect(g.layers[1].b.arraySync()).toEqual([0])
    expect(g.pair[1].arraySync()).toEqual([0])
    expect(grad((x: Tensor) => scalar(1, 'float64'))(T([1, 2])).arraySync()).toEqual([0, 0])
  })

  it('argnums: a number picks one argument, an array gives a tuple', () => {
    const f = (a: Tensor, b: { v: Tensor }, c: Tensor): Tensor => sum(mul(mul(a, b.v), c))
    const a = T([2]), b = { v: T([3]) }, c = T([5])
    const gb = grad(f, { argnums: 1 })(a, b, c)
    expectTypeOf(gb).toEqualTypeOf<{ v: Tensor }>()
    expectClose(gb.v, [10])
    const both = grad(f, { argnums: [0, 2] })(a, b, c)
    expectTypeOf(both).toEqualTypeOf<[Tensor, Tensor]>()
    expect(both).toHaveLength(2)
    expectClose(both[0], [15])
    expectClose(both[1], [6])
    expectError(() => grad(f, { argnums: 3 })(a, b, c), 'INVALID_ARGUMENT', 'argnums')
  })

  it('hasAux with grad and valueAndGrad', () => {
    const f = (x: Tensor) => [sum(mul(x, x)), { n: 3, mean: sum(x) }] as const
    const [g, aux] = grad(f, { hasAux: true })(T([1, 2]))
    expectTypeOf(g).toEqualTypeOf<Tensor>()
    expectClose(g, [2, 4])
    expect(aux.n).toBe(3)
    expectClose(aux.mean, 3)
    const [[value, aux2], g2] = valueAndGrad(f, { hasAux: true })(T([1, 2]))
    expectClose(value, 5)
    expectClose(aux2.mean, 3)
    expect(aux2.mean.tracer).toBeNull()
    expectClose(g2, [2, 4])
  })

  it('valueAndGrad returns [value, grads]', () => {
    const [v, g] = valueAndGrad(loss)(params())
    expect(v.tracer).toBeNull()
    expectClose(v, 2 * 11 + 0.5 + 14)
    expectClose(g.scale, 11)
  })

  it('a non-scalar output throws NON_SCALAR_OUTPUT saying so', () => {
    expectError(() => grad((x: Tensor) => mul(x, 2))(T([1, 2, 3])), 'NON_SCALAR_OUTPUT', 'grad', '[3]', 'scalar')
    expectError(() => valueAndGrad((x: Tensor) => mul(x, 2))(T([1, 2])), 'NON_SCALAR_OUTPUT', 'valueAndGrad')
  })

  it('an int32 leaf throws NON_DIFFERENTIABLE naming its path', () => {
    const p = params()
    p.layers[1].w = tensor([3, 4], { shape: [2, 1], dtype: 'int32' })
    expectError(() => grad(loss)(p), 'NON_DIFFERENTIABLE', 'params.layers[1].w', 'int32')
  })

  it('a shape error inside grad names the parameter path', () => {
    const f = (p: { w: Tensor }, x: Tensor): Tensor => sum(matmul(p.w, x))
    expectError(() => grad(f)({ w: T([1, 2, 3, 4, 5, 6], [2, 3]) }, T([1, 2], [2, 1])), 'SHAPE_MISMATCH', 'matmul', 'params.w', '[2,3]')
  })
})

describe('vjp and jvp over trees', () => {
  it('vjp with a tree output pulls back a tree cotangent', () => {
    const f = (p: { a: Tensor; b: Tensor }) => ({ y: mul(p.a, 3), z: [sum(mul(p.a, p.b)), p.b] as [Tensor, Tensor] })
    const p = { a: T([1, 2]), b: T([3, 4]) }
    const [out, pullback] = vjp(f, p)
    expectClose(out.y, [3, 6])
    expectClose(out.z[0], 11)
    const [gp] = pullback({ y: T([1, 1]), z: [T([2], []), T([10, 20])] })
    expectClose(gp.a, [3 + 2 * 3, 3 + 2 * 4])
    expectClose(gp.b, [10 + 2 * 1, 20 + 2 * 2])
    expectError(() => pullback({ y: T([1]), z: [T([2], []), T([10, 20])] }), 'SHAPE_MISMATCH', 'out.y')
  })

  it('jvp with tree primals and tangents', () => {
    const f = (p: { a: Tensor; b: [Tensor] }, c: Tensor) => ({ s: sum(mul(p.a, p.b[0])), t: mul(c, p.a) })
    const [y, dy] = jvp(f, [{ a: T([1, 2]), b: [T([3, 4])] }, T([5, 6])], [{ a: T([1, 0]), b: [T([0, 1])] }, T([1, 1])])
    expectClose(y.s, 11)
    expectClose(dy.s, 3 * 1 + 2 * 1)
    expectClose(dy.t, [5 * 1 + 1, 6 * 0 + 2])
    expectError(() => jvp(f, [{ a: T([1, 2]), b: [T([3, 4])] }, T([5, 6])], [{ a: T([1]), b: [T([0, 1])] }, T([1, 1])]), 'SHAPE_MISMATCH', 'params.a')
  })
})

describe('Jacobians and Hessians', () => {
  // f(x) = [x0^2 x1, 5 x0 + sin x1]: J = [[2 x0 x1, x0^2], [5, cos x1]]
  const f = (x: Tensor): Tensor => concat([mul(mul(at(x, 0), at(x, 0)), at(x, 1)), add(mul(at(x, 0), 5), sin(at(x, 1)))])
  it('jacfwd and jacrev equal each other and the closed form', () => {
    const x = T([1.5, -0.5])
    const want = [[2 * 1.5 * -0.5, 1.5 ** 2], [5, Math.cos(-0.5)]]
    expectClose(jacfwd(f)(x), want, { atol: 1e-14 })
    expectClose(jacrev(f)(x), want, { atol: 1e-14 })
  })

  it('shape is output shape followed by input shape', () => {
    const A = T(seededValues(12, 3), [3, 4])
    const X = T(seededValues(6, 4), [2, 3])
    const jf = jacfwd((x: Tensor) => matmul(x, A))(X), jr = jacrev((x: Tensor) => matmul(x, A))(X)
    expect(jf.shape).toEqual([2, 4, 2, 3])
    expectClose(jf.dataSync(), jr.dataSync(), { atol: 1e-15 })
    // J[i,j,k,l] = (i == k) A[l,j]
    const a = A.dataSync(), want: number[] = []
    for (let i = 0; i < 2; i++) for (let j = 0; j < 4; j++) for (let k = 0; k < 2; k++) for (let l = 0; l < 3; l++) want.push(i === k ? a[l * 4 + j] : 0)
    expectClose(jf.dataSync(), want)
  })

  it('hessian of sum(x^3) + x0 x1 is exact', () => {
    const h = (x: Tensor): Tensor => add(sum(pow(x, 3)), sum(mul(at(x, 0), at(x, 1))))
    const H = hessian(h)(T([1, 2, -3]))
    expect(H.shape).toEqual([3, 3])
    expect(H.arraySync()).toEqual([[6, 1, 0], [1, 12, 0], [0, 0, -18]])
  })

  it('grad of grad: d2/dx2 sin = -sin', () => {
    const x = T([0.3, 1.2, -2])
    const d2 = grad((u: Tensor) => sum(grad((v: Tensor) => sum(sin(v)))(u)))(x)
    expectClose(d2, [0.3, 1.2, -2].map((v) => -Math.sin(v)), { atol: 1e-15 })
    const d3 = grad((u: Tensor) => sum(grad((v: Tensor) => sum(grad((w: Tensor) => sum(sin(w)))(v)))(u)))(x)
    expectClose(d3, [0.3, 1.2, -2].map((v) => -Math.cos(v)), { atol: 1e-15 })
  })

  it('jvp of grad is a Hessian-vector product', () => {
    const g = (x: Tensor): Tensor => add(sum(tanh(mul(x, x))), mul(sum(x), sum(mul(x, x))))
    const x = T(seededValues(4, 7)), v = T(seededValues(4, 8))
    const [, hv] = jvp(grad(g), [x], [v])
    expectClose(hv, matmul(hessian(g)(x), v), { atol: 1e-13 })
  })
})

describe('nested derivatives do not confuse perturbations', () => {
  // D(x -> x * D(y -> x + y)(1))(1) = 1; confusing the two perturbations would give 2.
  const one = (): Tensor => T([1], [])
  type D = (f: (x: Tensor) => Tensor) => (x: Tensor) => Tensor
  const fwd: D = (f) => (x) => jvp(f, [x], [onesLike(x)])[1]
  const rev: D = (f) => (x) => grad(f)(x)
  const cases: [string, D, D][] = [['forward', fwd, fwd], ['reverse', rev, rev], ['forward over reverse', fwd, rev], ['reverse over forward', rev, fwd]]
  for (const [name, outer, inner] of cases) {
    it(name, () => {
      const r = outer((x) => mul(x, inner((y) => add(x, y))(one())))(one())
      expect(r.item()).toBe(1)
    })
  }
})

describe('custom rules', () => {
  const square = (x: Tensor): Tensor => mul(x, x)
  it('customVjp: the rule is used in reverse mode; forward mode differentiates f', () => {
    const f = customVjp(square, (x: Tensor) => [square(x), x] as const, (_x, ct) => [mul(ct, 10)])
    const x = T([1, 2, 3])
    expectClose(f(x), [1, 4, 9])
    expectClose(grad((u: Tensor) => sum(f(u)))(x), [10, 10, 10])
    expectClose(jvp(f, [x], [T([1, 1, 1])])[1], [2, 4, 6])
  })

  it('customVjp: a null gradient means zero; a wrong shape is an error', () => {
    const f = customVjp((a: Tensor, b: Tensor) => mul(a, b), (a: Tensor, b: Tensor) => [mul(a, b), b] as const, (b, ct) => [mul(ct, b), null])
    const [ga, gb] = grad((a: Tensor, b: Tensor) => sum(f(a, b)), { argnums: [0, 1] })(T([1, 2]), T([3, 4]))
    expectClose(ga, [3, 4])
    expectClose(gb, [0, 0])
    const bad = customVjp(square, (x: Tensor) => [square(x), null] as const, (_r, ct) => [sum(ct)])
    expectError(() => grad((u: Tensor) => sum(bad(u)))(T([1, 2])), 'SHAPE_MISMATCH', 'customVjp', 'gradient 0', '[2]')
  })

  it('customJvp: the rule is used in forward mode; reverse mode differentiates f', () => {
    const f = customJvp((x: Tensor) => sin(x), ([x], [t]) => [sin(x), mul(t, 100)])
    const x = T([0.5, 1])
    expectClose(jvp(f, [x], [T([1, 2])])[1], [100, 200])
    expectClose(grad((u: Tensor) => sum(f(u)))(x), [Math.cos(0.5), Math.cos(1)])
    const bad = customJvp((x: Tensor) => sin(x), ([x], [t]) => [sin(x), sum(t)])
    expectError(() => jvp(bad, [x], [T([1, 2])]), 'SHAPE_MISMATCH', 'customJvp')
  })

  it('stopGradient hides a value from every enclosing derivative', () => {
    expectClose(grad((x: Tensor) => sum(mul(x, stopGradient(x))))(T([3, 4])), [3, 4])
    expectClose(jvp((x: Tensor) => mul(x, stopGradient(cos(x))), [T([0])], [T([1])])[1], [1])
  })
})

describe('escaped tracers', () => {
  it('using a tracer after its transformation returned throws ESCAPED_TRACER', () => {
    let leaked: Tensor | undefined
    grad((x: Tensor) => { leaked = x; return sum(x) })(T([1, 2]))
    expectError(() => add(leaked as Tensor, 1), 'ESCAPED_TRACER', 'add')
    let leakedJvp: Tensor | undefined
    jvp((x: Tensor) => { leakedJvp = mul(x, 2); return x }, [T([1])], [T([1])])
    expectError(() => mul(leakedJvp as Tensor, leakedJvp as Tensor), 'ESCAPED_TRACER')
  })
})

describe('debugNans', () => {
  afterEach(() => setDebugNans(false))

  it('stops at the first op producing NaN in the forward pass', () => {
    expect(log(T([-1])).dataSync()[0]).toBeNaN()
    setDebugNans(true)
    expectError(() => log(T([-1])), 'NON_FINITE', 'log', 'NaN', 'forward')
    expectError(() => grad((x: Tensor) => sum(log(x)))(T([2, -1])), 'NON_FINITE', 'log', 'index 1', 'forward')
    expectError(() => add(T([1]), T([Infinity])), 'NON_FINITE', 'add', 'Infinity')
  })

  it('names the backward pass and the op whose gradient produced the NaN', () => {
    // sqrt(x) * 0 is finite at x = 0; inside its gradient sqrt's rule computes 0 / (2 sqrt(0)) = NaN,
    // which the rule then zeroes (a zero cotangent contributes 0: docs/reliability.md, Edge semantics).
    const f = (x: Tensor): Tensor => sum(mul(sqrt(x), 0))
    expect(grad(f)(T([0, 1])).dataSync()[0]).toBe(0)
    setDebugNans(true)
    expect(f(T([0, 1])).item()).toBe(0)
    const e = expectError(() => grad(f)(T([0, 1])), 'NON_FINITE', 'backward', 'gradient of sqrt', 'NaN')
    expect(e.op).toBe('div')
  })

  it('lets finite computations through', () => {
    setDebugNans(true)
    expectClose(grad((x: Tensor) => sum(mul(x, x)))(T([1, -2])), [2, -4])
  })
})
