/**
 * W4: one training step of a small CNN on a batch of 32 28x28x1 images: conv 3x3x1x16 + ReLU,
 * conv 3x3x16x32 + ReLU ('valid' padding), global average pool, dense 10, softmax cross-entropy,
 * gradient and an SGD update, in ms per step. The loss of the first step (same weights and data
 * everywhere) is recorded as a cross-check of the forward pass.
 */

import { Budget, errorText, measure, summarize } from '../lib/measure.js'
import { labels, mulberry32, uniform } from '../lib/rng.js'
import { cnnInit, timingRow, type Workload } from './workload.js'

export const w4: Workload = {
  id: 'W4',
  title: (c) => `W4 CNN step, input ${c.w4.input.join('x')}, conv 3x3 ${c.w4.c1} + ReLU, conv 3x3 ${c.w4.c2} + ReLU, global avg pool, dense 10, SGD (ms per step)`,
  modes: 'each',
  cases: () => ['step'],
  budgetMs: (c) => c.budgetMs,
  async run({ config, peer, emit, progress }) {
    const init = cnnInit(config.seed + 4, config.w4)
    const rand = mulberry32(config.seed + 40)
    const x = uniform(rand, config.w4.input)
    const y = labels(rand, config.w4.input[0], 10)
    for (const mode of peer.modes) {
      const base = { workload: 'W4', case: 'step', peer: peer.id, mode, unit: 'ms' }
      const losses: number[] = []
      try {
        const tr = peer.cnn(init, { kind: 'sgd', lr: config.w4.lr }, mode)
        const b = tr.batch(x, y)
        const t = await measure(async () => { losses.push(await tr.step(b)) }, {
          ...config.reps,
          budget: new Budget(config.budgetMs),
          progress: (p) => progress(timingRow(base, p, 1, { loss_first: losses[0] })),
        })
        emit(timingRow(base, t, 1, { loss_first: losses[0] ?? NaN, loss_last: losses[losses.length - 1] ?? NaN, steps: losses.length }))
        b.dispose()
        tr.dispose()
      } catch (e) {
        emit(timingRow(base, summarize('error', [], NaN, errorText(e)), 1, { loss_first: losses[0] ?? NaN }))
      }
    }
  },
}
