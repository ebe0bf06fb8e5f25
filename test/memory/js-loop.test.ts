/**
 * Memory on the js backend without dispose: a synchronous 10,000-step training loop of a small MLP
 * keeps RSS growth under 50 MiB on the default backend, and on a byte-counting JS backend its live
 * bytes return to within 4 KiB of the baseline after garbage collection. The loss must decrease.
 */

import { describe, expect, it } from 'vitest'
import {
  createJsBackend, registerBackend, withBackend, tensor, matmul, add, relu, logSoftmax, sum, mul,
  valueAndGrad, treeMap, sub, type Tensor,
} from '../../src/index.js'
import { collect } from '../helpers/gc.js'

// A counting JS backend: the default one does not pay for byte counting.
const backend = createJsBackend({ countBytes: true, name: 'js-counted' })
registerBackend(backend)

interface Params { l1: { w: Tensor; b: Tensor }; l2: { w: Tensor; b: Tensor } }

const rand = (n: number, seed: number): Float32Array => {
  let s = seed
  return Float32Array.from({ length: n }, () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648 - 0.5) * 0.5)
}

const setup = (name: string) => withBackend(name, () => {
  const params: Params = {
    l1: { w: tensor(rand(16 * 16, 1), { shape: [16, 16] }), b: tensor(new Float32Array(16)) },
    l2: { w: tensor(rand(16 * 4, 2), { shape: [16, 4] }), b: tensor(new Float32Array(4)) },
  }
  const x = tensor(rand(8 * 16, 3), { shape: [8, 16] })
  const y = tensor(Float32Array.from({ length: 32 }, (_, i) => (i % 4 === Math.floor(i / 4) % 4 ? 1 : 0)), { shape: [8, 4] })
  return { params, x, y }
})

const loss = (p: Params, x: Tensor, y: Tensor): Tensor => {
  const h = relu(add(matmul(x, p.l1.w), p.l1.b))
  const logits = add(matmul(h, p.l2.w), p.l2.b)
  return mul(sum(mul(logSoftmax(logits), y)), -1 / 8)
}

const step = (p: Params, x: Tensor, y: Tensor): [Params, number] => {
  const [l, g] = valueAndGrad(loss)(p, x, y)
  const next = treeMap(p, (w: Tensor, path) => sub(w, mul(pathGet(g, path), 0.05)))
  return [next, l.item()]
}

const pathGet = (g: Params, path: string): Tensor => {
  const [, layer, leaf] = path.split('.') as [string, 'l1' | 'l2', 'w' | 'b']
  return g[layer][leaf]
}

describe('memory without dispose on the js backend', () => {
  const train = (params: Params, x: Tensor, y: Tensor, steps: number): [Params, number, number] => {
    let p = params
    let first = NaN, last = NaN
    for (let i = 0; i < steps; i++) {
      const [next, l] = step(p, x, y)
      p = next
      if (i === 0) first = l
      last = l
    }
    return [p, first, last]
  }

  it('a synchronous 10,000-step training loop keeps RSS flat (default backend)', () => {
    const { params, x, y } = setup('js')
    train(params, x, y, 500)
    const rss0 = process.memoryUsage().rss
    const [, first, last] = train(params, x, y, 10_000)
    expect(last).toBeLessThan(first)
    expect(process.memoryUsage().rss - rss0).toBeLessThan(50 * 2 ** 20)
  })

  // The counting backend registers every buffer with a FinalizationRegistry, whose records
  // themselves pile up until the loop yields, so RSS is checked above and bytes here.
  it('a synchronous 10,000-step training loop returns counted live bytes to baseline', async () => {
    const { params, x, y } = setup('js-counted')
    await collect()
    const baseline = backend.stats.liveBytes()
    let p = params
    let first = NaN, last = NaN
    for (let i = 0; i < 10_000; i++) {
      const [next, l] = step(p, x, y)
      p = next
      if (i === 0) first = l
      last = l
    }
    expect(last).toBeLessThan(first)
    const liveWithParams = backend.stats.liveBytes()
    p = params
    await collect()
    const after = backend.stats.liveBytes()
    // What remains beyond baseline is the scalar-constant cache (a few dozen 4-byte scalars).
    expect(after - baseline).toBeLessThan(4096)
    expect(liveWithParams).toBeGreaterThan(0)
  })
})
