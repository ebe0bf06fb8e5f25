/**
 * The per-layer gradient-norm plot: one line per report (a model, an initialisation, before and
 * after clipping...), layer index on x (the weight leaves in leaf order, 1 = the first layer),
 * gradient norm on a log-scale y, as a Vega-Lite spec (`gradNormSpec`) or an SVG document
 * (`gradNormSvg`, rendered by ./svg.ts). Zero norms cannot sit on a log axis: they are left out
 * and counted in the subtitle.
 */

import type { TopLevelSpec } from 'vega-lite'
import type { HealthReport, ParamHealth } from './health.js'
import { renderVegaLiteSvg } from './svg.js'

/** One line of the gradient-norm plot: a report and its legend entry. */
export interface GradNormSeries {
  /** The legend entry. */
  readonly name: string
  readonly report: HealthReport
}

/** Options of `gradNormSpec` and `gradNormSvg`. */
export interface GradNormPlotOptions {
  /** Default 'Gradient norm per layer'. */
  readonly title?: string
  /** Plot only the weight leaves (rank >= 2, default) or every parameter. */
  readonly leaves?: 'weights' | 'all'
  /** Plot width in pixels: default 520. */
  readonly width?: number
  /** Plot height in pixels: default 300. */
  readonly height?: number
}

/** One plotted point. */
export interface GradNormPoint {
  readonly series: string
  /** 1-based position among the plotted leaves of the report. */
  readonly layer: number
  readonly path: string
  readonly gradNorm: number
}

const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf']

/**
 * The points of every series (zero and non-finite norms included; the spec drops them).
 *
 * @example
 * ```ts
 * import { tensor } from 'puregrad'
 * import { healthFromGrads, gradNormPoints } from 'puregrad/diagnostics'
 *
 * const report = healthFromGrads({ w: tensor([[1]]), b: tensor([1]) }, { w: tensor([[3]]), b: tensor([4]) })
 * const points = gradNormPoints([{ name: 'init', report }])   // weights only: b is left out
 * if (points.length !== 1 || points[0].gradNorm !== 3 || points[0].layer !== 1) throw new Error(JSON.stringify(points))
 * ```
 */
export const gradNormPoints = (series: readonly GradNormSeries[], leaves: 'weights' | 'all' = 'weights'): GradNormPoint[] =>
  series.flatMap((s) =>
    s.report.params
      .filter((p: ParamHealth) => leaves === 'all' || p.isWeight)
      .map((p, i) => ({ series: s.name, layer: i + 1, path: p.path, gradNorm: p.gradNorm })))

/**
 * The Vega-Lite spec of the plot (a plain JSON-able object): layer index on x, gradient norm on a
 * log-scale y, one line per series.
 *
 * @example
 * ```ts
 * import { tensor } from 'puregrad'
 * import { healthFromGrads, gradNormSpec } from 'puregrad/diagnostics'
 *
 * const report = healthFromGrads({ w: tensor([[1]]) }, { w: tensor([[0.5]]) })
 * const spec = JSON.stringify(gradNormSpec([{ name: 'run', report }], { title: 'after 1 step' }))
 * if (!spec.includes('"type":"log"') || !spec.includes('after 1 step')) throw new Error(spec)
 * ```
 */
export const gradNormSpec = (series: readonly GradNormSeries[], opts: GradNormPlotOptions = {}): object => {
  const all = gradNormPoints(series, opts.leaves)
  const shown = all.filter((p) => p.gradNorm > 0 && Number.isFinite(p.gradNorm))
  const omitted = all.length - shown.length
  const names = series.map((s) => s.name)
  const spec: TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: opts.title ?? 'Gradient norm per layer',
      subtitle: omitted === 0 ? 'L2 norm of each weight gradient, log scale' : `L2 norm of each weight gradient, log scale (${omitted} zero or non-finite values not drawn)`,
    },
    width: opts.width ?? 520,
    height: opts.height ?? 300,
    data: { values: shown.map((p) => ({ ...p })) },
    mark: { type: 'line', point: { filled: true, size: 30 } },
    encoding: {
      x: { field: 'layer', type: 'quantitative', title: 'layer (1 = input side)', axis: { tickMinStep: 1, format: 'd' } },
      y: { field: 'gradNorm', type: 'quantitative', title: '||gradient|| (log scale)', scale: { type: 'log' }, axis: { format: '.0e' } },
      color: {
        field: 'series', type: 'nominal', title: null, sort: names,
        scale: { domain: names, range: names.map((_, i) => PALETTE[i % PALETTE.length]) },
        legend: { orient: 'bottom', columns: 1, labelLimit: 600 },
      },
      tooltip: [{ field: 'series' }, { field: 'path' }, { field: 'gradNorm', format: '.3e' }],
    },
  }
  return spec
}

/**
 * The plot as an SVG document string (see `renderVegaLiteSvg`).
 *
 * @throws PuregradError `BACKEND_UNAVAILABLE` (the promise rejects) when the optional packages
 * vega and vega-lite are not installed.
 * @example
 * ```ts
 * import { tensor } from 'puregrad'
 * import { healthFromGrads, gradNormSvg } from 'puregrad/diagnostics'
 *
 * const params = { a: { w: tensor([[1]]) }, b: { w: tensor([[1]]) } }
 * const report = healthFromGrads(params, { a: { w: tensor([[1e-3]]) }, b: { w: tensor([[1]]) } })
 * const svg = await gradNormSvg([{ name: 'deep net', report }])
 * if (!svg.startsWith('<svg') || !svg.includes('deep net')) throw new Error('gradNormSvg')
 * ```
 */
export const gradNormSvg = (series: readonly GradNormSeries[], opts: GradNormPlotOptions = {}): Promise<string> =>
  renderVegaLiteSvg(gradNormSpec(series, opts))
