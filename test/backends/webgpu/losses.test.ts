/**
 * The losses of puregrad/layers on the webgpu backend, which cannot read synchronously: every
 * loss's value and gradient against the JS backend in float32, computed without any read-back
 * (softmaxCrossEntropy's integer-label range check runs on the host only where the backend reads
 * synchronously; here an out-of-range label makes that example's loss NaN instead), and
 * -Infinity logits as on the CPU backends.
 */

import { afterAll, describe, expect, it } from 'vitest'
import { grad, tensor, valueAndGrad, withBackend, type Tensor } from '../../../src/index.js'
import {
  binaryCrossEntropyWithLogits, hinge, huber, klDivergence, mae, mse, softmaxCrossEntropy,
} from '../../../src/layers/losses.js'
import { expectClose, seededValues } from '../../helpers/allclose.js'
import { GPU_TIMEOUT, requireBackend, setupWebGPU } from './device.js'

const setup = await setupWebGPU()

type Loss = (a: Tensor, b: Tensor) => Tensor
const p6 = seededValues(6, 1, -2, 2), t6 = seededValues(6, 2, -2, 2)
const probs = [0.2, 0.3, 0.5, 0.6, 0.4, 0]
const cases: [string, Loss, number[], number[], number[]][] = [
  ['mse', mse, p6, t6, [2, 3]],
  ['mae', mae, p6, t6, [2, 3]],
  ['huber', (a, b) => huber(a, b, { delta: 0.7 }), p6, t6, [2, 3]],
  ['binaryCrossEntropyWithLogits', binaryCrossEntropyWithLogits, p6, probs, [2, 3]],
  ['klDivergence', klDivergence, p6.map((x) => -Math.abs(x)), probs, [2, 3]],
  ['hinge', hinge, p6, [1, -1, 1, 1, -1, -1], [2, 3]],
  ['softmaxCrossEntropy (one-hot)', softmaxCrossEntropy, p6, [0, 0, 1, 1, 0, 0], [2, 3]],
]

/** Value and gradient of `f` on `backend`, read asynchronously. */
const run = async (backend: string, f: () => [Tensor, Tensor]): Promise<[number[], number[]]> => {
  const [v, g] = withBackend(backend, f)
  return [Array.from(await v.data()), Array.from(await g.data())]
}

describe.skipIf(setup.skip !== undefined)(`losses on webgpu (${setup.skip ?? setup.driver})`, () => {
  afterAll(() => { if (setup.backend !== undefined) expect(setup.backend.stats.errors).toEqual([]) })

  it('every loss: value and gradient match the js backend, with no read-back while computing', async () => {
    const backend = requireBackend(setup)
    for (const [name, loss, a, b, shape] of cases) {
      const f = (): [Tensor, Tensor] => {
        const y = tensor(b, { shape })
        return valueAndGrad((x: Tensor) => loss(x, y))(tensor(a, { shape }))
      }
      const reads0 = backend.stats.gpu.reads
      const [v, g] = withBackend('webgpu', f)
      expect(backend.stats.gpu.reads, `${name} read back while computing`).toBe(reads0)
      const want = await run('js', f)
      expectClose(Array.from(await v.data()), want[0], { atol: 1e-6, rtol: 1e-5 })
      expectClose(Array.from(await g.data()), want[1], { atol: 1e-6, rtol: 1e-5 })
    }
  }, GPU_TIMEOUT)

  it('softmaxCrossEntropy with integer labels works without a synchronous read', async () => {
    const backend = requireBackend(setup)
    const f = (): [Tensor, Tensor] => {
      const labels = tensor([2, 0, 1, 2], { dtype: 'int32' })
      return valueAndGrad((x: Tensor) => softmaxCrossEntropy(x, labels))(tensor(seededValues(12, 3, -4, 4), { shape: [4, 3] }))
    }
    const reads0 = backend.stats.gpu.reads
    const [v, g] = withBackend('webgpu', f)
    expect(backend.stats.gpu.reads).toBe(reads0)
    const want = await run('js', f)
    expectClose(Array.from(await v.data()), want[0], { atol: 1e-6, rtol: 1e-5 })
    expectClose(Array.from(await g.data()), want[1], { atol: 1e-6, rtol: 1e-5 })
  }, GPU_TIMEOUT)

  it('an out-of-range integer label gives NaN for its example (the others stay exact), not an error', async () => {
    requireBackend(setup)
    const logits = [[0, 1, 2], [1, 1, 1], [3, 0, 0], [0, 0, 0]]
    const each = withBackend('webgpu', () =>
      softmaxCrossEntropy(tensor(logits), tensor([0, -1, 3, 2], { dtype: 'int32' }), { reduction: 'none' }))
    const [a, b, c, d] = Array.from(await each.data())
    expect([b, c]).toEqual([NaN, NaN])
    expectClose([a, d], [Math.log(1 + Math.E + Math.E ** 2), Math.log(3)], { atol: 1e-6 })
    const mean = withBackend('webgpu', () => softmaxCrossEntropy(tensor(logits), tensor([0, 5, 1, 2], { dtype: 'int32' })))
    expect(Array.from(await mean.data())).toEqual([NaN])
  }, GPU_TIMEOUT)

  it('-Infinity logits: finite loss and gradient, exactly 0 at the masked class', async () => {
    requireBackend(setup)
    const f = (): [Tensor, Tensor] => {
      const labels = tensor([2, 0], { dtype: 'int32' })
      return valueAndGrad((x: Tensor) => softmaxCrossEntropy(x, labels))(tensor([[-Infinity, 0, 1], [2, -Infinity, 0.5]]))
    }
    const [v, g] = await run('webgpu', f)
    const want = await run('js', f)
    expect(Number.isFinite(v[0])).toBe(true)
    expectClose(v, want[0], { atol: 1e-6, rtol: 1e-5 })
    expectClose(g, want[1], { atol: 1e-6, rtol: 1e-5 })
    expect([g[0], g[4]]).toEqual([0, 0])
    // grad alone (no valueAndGrad) takes the same path.
    const g2 = withBackend('webgpu', () => grad((x: Tensor) => softmaxCrossEntropy(x, tensor([[0, 0, 1], [1, 0, 0]])))(tensor([[-Infinity, 0, 1], [2, -Infinity, 0.5]])))
    expectClose(Array.from(await g2.data()), want[1], { atol: 1e-6, rtol: 1e-5 })
  }, GPU_TIMEOUT)
})
