/**
 * The demo's training curves as an SVG: a Vega-Lite spec (training loss and held-out accuracy
 * per epoch, one panel each) compiled to Vega and rendered headless in Node, no browser or canvas
 * (by src/diagnostics/svg.ts, which the gradient-norm plots share).
 */

import type { TopLevelSpec } from 'vega-lite'
import { renderVegaLiteSvg } from '../src/diagnostics/svg.js'

export interface EpochRecord {
  readonly epoch: number
  /** Mean training loss over the epoch's mini-batches. */
  readonly loss: number
  /** Accuracy on the held-out set after the epoch. */
  readonly testAccuracy: number
}

const RED = '#d62728'
const BLUE = '#1f77b4'

const subtitleOf = (history: readonly EpochRecord[]): string => {
  const last = history[history.length - 1]
  return last === undefined ? 'no epochs' : `held-out accuracy ${(100 * last.testAccuracy).toFixed(1)}% after ${last.epoch} epochs`
}

export const curvesSpec = (history: readonly EpochRecord[], title: string): TopLevelSpec => ({
  $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
  title: { text: title, subtitle: subtitleOf(history) },
  data: { values: history.map((r) => ({ ...r })) },
  vconcat: [
    {
      width: 480,
      height: 180,
      mark: { type: 'line', color: RED, point: { filled: true, color: RED } },
      encoding: {
        x: { field: 'epoch', type: 'quantitative', title: 'epoch', axis: { tickMinStep: 1 } },
        y: { field: 'loss', type: 'quantitative', title: 'training loss (cross-entropy, log scale)', scale: { type: 'log' }, axis: { tickCount: 4, format: '~g' } },
      },
    },
    {
      width: 480,
      height: 180,
      mark: { type: 'line', color: BLUE, point: { filled: true, color: BLUE } },
      encoding: {
        x: { field: 'epoch', type: 'quantitative', title: 'epoch', axis: { tickMinStep: 1 } },
        y: {
          field: 'testAccuracy', type: 'quantitative', title: 'test accuracy',
          scale: { domain: [Math.min(0.5, ...history.map((r) => r.testAccuracy)), 1] },
          axis: { format: '.0%' },
        },
      },
    },
  ],
})

/** Renders the curves to an SVG document string. */
export const curvesSvg = (history: readonly EpochRecord[], title = 'puregrad MLP on digits'): Promise<string> =>
  renderVegaLiteSvg(curvesSpec(history, title))
