/**
 * W6: real training. One epoch of the W2 MLP (784-512-256-10, Adam, batch 128) over the 60,000
 * Fashion-MNIST training images in one seeded shuffled order shared by every library (the last
 * partial batch is dropped), then accuracy on the 10,000 test images. Figure: seconds for the
 * epoch. A library that runs out of budget reports the steps it did, the projected epoch time and
 * the accuracy it had reached.
 */

import { Budget, errorText } from '../lib/measure.js'
import { gatherBatch, loadSplit, type Split } from '../lib/fashion.js'
import { mulberry32 } from '../lib/rng.js'
import type { Trainer } from '../peers/peer.js'
import { mlpInit, type Workload } from './workload.js'

const permutation = (n: number, seed: number): Int32Array => {
  const rand = mulberry32(seed)
  const p = Int32Array.from({ length: n }, (_, i) => i)
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1))
    const t = p[i]; p[i] = p[j]; p[j] = t
  }
  return p
}

const accuracy = async (tr: Trainer, test: Split, evalBatch: number): Promise<{ accuracy: number; loss: number }> => {
  let correct = 0
  let lossSum = 0
  for (let s = 0; s < test.count; s += evalBatch) {
    const idx = Int32Array.from({ length: Math.min(evalBatch, test.count - s) }, (_, i) => s + i)
    const { x, y } = gatherBatch(test, idx)
    const b = tr.batch(x, y)
    const r = await tr.evaluate(b)
    b.dispose()
    correct += r.correct
    lossSum += r.loss * idx.length
  }
  return { accuracy: correct / test.count, loss: lossSum / test.count }
}

export const w6: Workload = {
  id: 'W6',
  title: (c) => `W6 Fashion-MNIST MLP ${c.w6.layers.join('-')}, one epoch of ${c.w6.trainLimit} images, Adam, batch ${c.w6.batch} (s per epoch; accuracy on ${c.w6.testLimit} test images)`,
  modes: 'first',
  cases: () => ['epoch'],
  budgetMs: (c) => c.w6BudgetMs,
  async run({ config, peer, emit, progress }) {
    const c = config.w6
    const train = loadSplit(c.dataDir, 'train', c.trainLimit)
    const test = loadSplit(c.dataDir, 't10k', c.testLimit)
    const steps = Math.floor(train.count / c.batch)
    const order = permutation(train.count, config.seed + 6)
    const init = mlpInit(config.seed + 60, c.layers)
    // One mode: the first that trains (jax-js: jit).
    for (const mode of peer.modes) {
      const base = { workload: 'W6', case: 'epoch', peer: peer.id, mode, unit: 's' }
      const budget = new Budget(config.w6BudgetMs)
      const losses: number[] = []
      try {
        const tr = peer.mlp(init, { kind: 'adam', adam: config.adam }, mode)
        const t0 = performance.now()
        let lastReport = t0
        for (let i = 0; i < steps && !budget.out; i++) {
          const { x, y } = gatherBatch(train, order.subarray(i * c.batch, (i + 1) * c.batch))
          const b = tr.batch(x, y)
          losses.push(await tr.step(b))
          b.dispose()
          if (performance.now() - lastReport > 2000) {
            lastReport = performance.now()
            const s = (lastReport - t0) / 1000
            progress({ ...base, status: 'over-budget', value: (s / losses.length) * steps, min: NaN, reps: losses.length,
              extra: { steps_done: losses.length, steps_total: steps, elapsed_s: s, test_accuracy: NaN }, note: 'stopped before the end of the epoch' })
          }
        }
        const trainS = (performance.now() - t0) / 1000
        const e0 = performance.now()
        const acc = await accuracy(tr, test, c.evalBatch)
        const evalS = (performance.now() - e0) / 1000
        tr.dispose()
        const done = losses.length === steps
        const tail = losses.slice(-50)
        emit({
          ...base, status: done ? 'ok' : 'over-budget',
          value: done ? trainS : (trainS / losses.length) * steps, min: NaN, reps: 1,
          extra: {
            steps_done: losses.length, steps_total: steps, elapsed_s: trainS, test_accuracy: acc.accuracy, test_loss: acc.loss,
            train_loss_last50: tail.reduce((a, b) => a + b, 0) / tail.length, eval_s: evalS, train_images: steps * c.batch, test_images: test.count,
          },
          ...(done ? {} : { note: `budget ran out after ${losses.length} of ${steps} steps; figure projected to the full epoch, accuracy as reached` }),
        })
        return
      } catch (e) {
        emit({ ...base, status: 'error', value: NaN, min: NaN, reps: 0, extra: { steps_done: losses.length }, error: errorText(e) })
      }
    }
  },
}
