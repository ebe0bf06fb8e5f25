/**
 * The short CI version of the Fashion-MNIST runs (examples/fashion.ts; the full runs are recorded,
 * not tested): the MLP (in this thread) and the CNN (on two gradient worker threads) each train one
 * epoch on the first 2,000 training images, on the wasm backend, and must classify the first 1,000 test images well above chance (0.1), with a
 * finite loss, a confusion matrix that accounts for every image and an SVG of the curve.
 * Skipped when ../shared/data/fashion-mnist is absent. Also: `--holdout` trains and evaluates on
 * disjoint parts of the training set (never the test set), the host-side batches are the rows
 * `gatherRows` picks, and the CNN's fused batch norm (examples/fused-batch-norm.ts) computes what
 * puregrad/layers' batchNorm computes, gradients too.
 */

import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { useWasmSync } from '../../src/backends/wasm/index.js'
import { grad, mul, sum, type Tensor } from '../../src/index.js'
import { batchNorm, key, random } from '../../src/layers/index.js'
import { trainFashion } from '../../examples/fashion.js'
import { hostRows, prepare } from '../../examples/fashion-model.js'
import { gatherRows } from '../../src/datasets/index.js'
import { fusedBatchNorm } from '../../examples/fused-batch-norm.js'
import { FASHION_DIR, skipFashion, tempDir } from './helpers.js'

describe.skipIf(skipFashion)('Fashion-MNIST, short run', () => {
  const { dir, cleanup } = tempDir('puregrad-fashion-train-')
  beforeAll(() => { useWasmSync() })
  afterAll(cleanup)

  // The cnn runs as the CLI does, its gradients computed by two worker threads.
  for (const [model, floor, workers] of [['mlp', 0.6, 1], ['cnn', 0.45, 2]] as const) {
    it(`the ${model} learns: one epoch on 2,000 images beats chance by far (${workers} thread${workers > 1 ? 's' : ''})`, async () => {
      const lines: string[] = []
      const svgPath = join(dir, `${model}.svg`)
      const r = await trainFashion({
        data: FASHION_DIR, model, epochs: 1, trainLimit: 2000, testLimit: 1000, svgPath, workers, log: (l) => lines.push(l),
      })
      expect(r.accuracy).toBeGreaterThan(floor)
      if (model === 'cnn') expect(r.flipAccuracy as number).toBeGreaterThan(floor) // trained with flips: also scored with them
      else expect(r.flipAccuracy).toBeNull()
      expect(r.history).toHaveLength(1)
      expect(Number.isFinite(r.history[0].loss)).toBe(true)
      expect(r.history[0].loss).toBeLessThan(Math.log(10)) // below the loss of a uniform guess
      expect(r.confusion.flat().reduce((a, b) => a + b, 0)).toBe(1000)
      expect(r.confusion.reduce((s, row, i) => s + row[i], 0)).toBe(Math.round(r.accuracy * 1000))
      expect(lines.some((l) => /^epoch  1\/1  loss \d\.\d{4}  test accuracy 0\.\d{4}/.test(l))).toBe(true)
      expect(readFileSync(svgPath, 'utf8').startsWith('<svg')).toBe(true)
    }, 30_000)
  }

  it('holds out the last training images: trains on the rest, evaluates on them, not on the test set', async () => {
    const prep = prepare({ data: FASHION_DIR, model: 'mlp', seed: 0, augment: false, smoothing: 0, trainLimit: 2000, holdout: 500 })
    const full = prepare({ data: FASHION_DIR, model: 'mlp', seed: 0, augment: false, smoothing: 0, trainLimit: 2000 })
    expect(prep.data.train.x.shape).toEqual([1500, 784])
    expect(prep.data.test.x.shape).toEqual([500, 784])
    expect(Array.from(prep.data.test.y.dataSync())).toEqual(Array.from(full.data.train.y.dataSync().slice(1500)))
    expect(Array.from(prep.data.test.x.dataSync().slice(0, 784))).toEqual(Array.from(full.data.train.x.dataSync().slice(1500 * 784, 1501 * 784)))
    const lines: string[] = []
    const r = await trainFashion({ data: FASHION_DIR, model: 'mlp', epochs: 1, trainLimit: 2000, holdout: 500, svgPath: null, log: (l) => lines.push(l) })
    expect(r.confusion.flat().reduce((a, b) => a + b, 0)).toBe(500)
    expect(lines[0]).toMatch(/^loaded 1500 training and 500 held-out images/)
    expect(lines.some((l) => /^epoch  1\/1  loss \d\.\d{4}  held-out accuracy 0\.\d{4}/.test(l))).toBe(true)
    expect(() => prepare({ data: FASHION_DIR, model: 'mlp', seed: 0, augment: false, smoothing: 0, trainLimit: 2000, holdout: 2000 })).toThrow(/holdout must be an integer in 1\.\.1999/)
  }, 30_000)

  it('host-side batches are the rows gatherRows picks, repeated rows included', () => {
    const { data } = prepare({ data: FASHION_DIR, model: 'cnn', seed: 0, augment: false, smoothing: 0, trainLimit: 300 })
    const indices = Int32Array.from([299, 0, 17, 17, 150])
    const a = hostRows(data.train)(indices), b = gatherRows(data.train, indices)
    expect(a.x.shape).toEqual([5, 28, 28, 1])
    expect(a.y.dtype).toBe(b.y.dtype)
    expect(Array.from(a.x.dataSync())).toEqual(Array.from(b.x.dataSync()))
    expect(Array.from(a.y.dataSync())).toEqual(Array.from(b.y.dataSync()))
  })
})

describe('fusedBatchNorm (examples/fused-batch-norm.ts)', () => {
  const maxDiff = (a: Tensor, b: Tensor): number => {
    const u = a.dataSync(), v = b.dataSync()
    let m = 0
    for (let i = 0; i < u.length; i++) m = Math.max(m, Math.abs(u[i] - v[i]))
    return m
  }
  it('matches batchNorm in training (output, new state, gradients) and in inference', () => {
    // Built here, on whatever backend is current (the describe above may have switched to wasm).
    const x = random.normal(key(0), [6, 4, 4, 3], { dtype: 'float64', mean: 1, std: 2 })
    const w = random.normal(key(1), [6, 4, 4, 3], { dtype: 'float64' })
    const ref = batchNorm(), fused = fusedBatchNorm()
    const { state } = ref.init(key(2), [4, 4, 3], { dtype: 'float64' })
    const params = { gamma: random.normal(key(3), [3], { dtype: 'float64' }), beta: random.normal(key(4), [3], { dtype: 'float64' }) }
    const [ya, sa] = ref.apply(params, state, x, { training: true })
    const [yb, sb] = fused.apply(params, state, x, { training: true })
    expect(maxDiff(ya, yb)).toBeLessThan(1e-12)
    expect(maxDiff(sa.mean, sb.mean)).toBeLessThan(1e-12)
    expect(maxDiff(sa.var, sb.var)).toBeLessThan(1e-12)
    const f = (layer: typeof ref) => (p: typeof params, z: Tensor): Tensor => sum(mul(layer.apply(p, state, z, { training: true })[0], w))
    const [gpa, gxa] = grad(f(ref), { argnums: [0, 1] })(params, x)
    const [gpb, gxb] = grad(f(fused), { argnums: [0, 1] })(params, x)
    expect(maxDiff(gxa, gxb)).toBeLessThan(1e-12)
    expect(maxDiff(gpa.gamma, gpb.gamma)).toBeLessThan(1e-12)
    expect(maxDiff(gpa.beta, gpb.beta)).toBeLessThan(1e-12)
    expect(maxDiff(ref.apply(params, sa, x)[0], fused.apply(params, sa, x)[0])).toBeLessThan(1e-12)
  })
})
