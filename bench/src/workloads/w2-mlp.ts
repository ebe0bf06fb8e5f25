/**
 * W2: one training step of an MLP 784-512-256-10 (ReLU, softmax cross-entropy, batch 128,
 * forward + backward + Adam), in ms per step. Every library starts from the same host-generated
 * weights and batch; the first 20 steps record the loss trajectory and the loss after them (the
 * cross-check: all libraries must agree to 1e-4), then timed steps continue the same training.
 */

import { Budget, errorText, measure, summarize } from '../lib/measure.js'
import { labels, mulberry32, uniform } from '../lib/rng.js'
import { mlpInit, timingRow, type Workload } from './workload.js'

export const w2Data = (seed: number, layers: readonly number[], batch: number) => {
  const rand = mulberry32(seed + 2)
  return { x: uniform(rand, [batch, layers[0]]), y: labels(rand, batch, layers[layers.length - 1]) }
}

export const w2: Workload = {
  id: 'W2',
  title: (c) => `W2 MLP ${c.w2.layers.join('-')} step, batch ${c.w2.batch}, ReLU, softmax cross-entropy, Adam (ms per step)`,
  modes: 'each',
  cases: () => ['step'],
  budgetMs: (c) => c.budgetMs,
  async run({ config, peer, emit, progress }) {
    const { layers, batch, checkSteps } = config.w2
    const init = mlpInit(config.seed, layers)
    const data = w2Data(config.seed, layers, batch)
    for (const mode of peer.modes) {
      const base = { workload: 'W2', case: 'step', peer: peer.id, mode, unit: 'ms' }
      const budget = new Budget(config.budgetMs)
      const losses: number[] = []
      const checkTimes: number[] = []
      let lossAfter = NaN
      try {
        const tr = peer.mlp(init, { kind: 'adam', adam: config.adam }, mode)
        const b = tr.batch(data.x, data.y)
        for (let i = 0; i < checkSteps && !budget.out; i++) {
          const t0 = performance.now()
          losses.push(await tr.step(b))
          checkTimes.push(performance.now() - t0)
        }
        if (losses.length === checkSteps) lossAfter = (await tr.evaluate(b)).loss
        const extra = () => ({ losses, loss_after: lossAfter, check_steps: losses.length })
        if (budget.out) {
          // The figure reached: the check steps after the first (which includes any compilation).
          const t = summarize('over-budget', checkTimes.slice(1), checkTimes[0])
          emit(timingRow(base, t, 1, extra(), `budget ran out during the ${checkSteps} check steps`))
        } else {
          const t = await measure(() => tr.step(b), {
            ...config.reps, warmup: 0, warmupMs: 0, budget,
            progress: (p) => progress(timingRow(base, p, 1, extra())),
          })
          emit(timingRow(base, { ...t, firstMs: checkTimes[0] }, 1, extra()))
        }
        b.dispose()
        tr.dispose()
      } catch (e) {
        emit(timingRow(base, summarize('error', checkTimes.slice(1), checkTimes[0], errorText(e)), 1, { losses, loss_after: lossAfter }))
      }
    }
  },
}
