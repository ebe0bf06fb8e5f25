/**
 * Tests for the per-layer gradient-norm plot (src/diagnostics/plot.ts, rendered by svg.ts) and the
 * terminal report (report.ts): the SVG is well-formed XML with one line per series, one vertex
 * per plotted layer, the legend entries and the axis titles; zero norms are left off the log
 * axis and said so; the table lists every parameter with its numbers, flags and the thresholds.
 */

import { describe, expect, it } from 'vitest'
import { mul, ones, sum, tensor, type Tensor } from '../../src/index.js'
import { formatHealthReport, gradNormPoints, gradNormSpec, gradNormSvg, gradientHealth, healthFromGrads } from '../../src/diagnostics/index.js'
import { checkXml } from './xml.js'

/** Three layers whose weight gradients have norms 4 * scale^k (k = 0, 1, 2), biases ignored. */
const layers = (scale: number) => {
  const params = [0, 1, 2].map(() => ({ w: ones([4, 4]), b: ones([4]) }))
  const grads = [0, 1, 2].map((k) => ({ w: mul(ones([4, 4]), scale ** k), b: ones([4]) }))
  return healthFromGrads(params, grads)
}

/** The `d` attribute of the line path in each `mark-line` group, in document order. */
const linePaths = (svg: string): string[] =>
  [...svg.matchAll(/<g class="mark-line role-mark[^"]*"[^>]*>((?:<path [^>]*\/>)+)/g)].flatMap((m) =>
    [...m[1].matchAll(/\bd="([^"]+)"/g)].map((d) => d[1]))

describe('the well-formedness check itself', () => {
  it('catches misnesting, unquoted attributes, stray characters and a second root', () => {
    expect(checkXml('<svg a="1"><g/><text>x &amp; y</text></svg>').problems).toEqual([])
    expect(checkXml('<svg><g></svg>').problems.length).toBeGreaterThan(0)
    expect(checkXml('<svg a=1></svg>').problems.length).toBeGreaterThan(0)
    expect(checkXml('<svg a="1" a="2"></svg>').problems.length).toBeGreaterThan(0)
    expect(checkXml('<svg>a & b</svg>').problems.length).toBeGreaterThan(0)
    expect(checkXml('<svg></svg><svg></svg>').problems.length).toBeGreaterThan(0)
  })
})

describe('gradNormSvg', () => {
  it('renders well-formed SVG with one line per series and one vertex per layer', async () => {
    const series = [
      { name: 'vanishing (x 1e-3 per layer)', report: layers(1e-3) },
      { name: 'healthy (x 1 per layer)', report: layers(1) },
    ]
    const points = gradNormPoints(series)
    expect(points.map((p) => [p.series.split(' ')[0], p.layer, p.path, p.gradNorm])).toEqual([
      ['vanishing', 1, 'params[0].w', 4], ['vanishing', 2, 'params[1].w', 4e-3], ['vanishing', 3, 'params[2].w', 4e-6],
      ['healthy', 1, 'params[0].w', 4], ['healthy', 2, 'params[1].w', 4], ['healthy', 3, 'params[2].w', 4],
    ].map(([s, l, p, g]) => [s, l, p, expect.closeTo(g as number, 6)]))

    const svg = await gradNormSvg(series, { title: 'two series' })
    expect(svg.startsWith('<svg')).toBe(true)
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true)
    const xml = checkXml(svg)
    expect(xml.problems).toEqual([])
    expect(xml.elements[0]).toBe('svg')
    const paths = linePaths(svg)
    expect(paths).toHaveLength(2)
    for (const d of paths) expect(d.split('L')).toHaveLength(3)
    // The vanishing line falls by 1e-3 per layer: on a log axis its two segments have equal drops.
    const ys = paths.map((d) => [...d.matchAll(/[ML]([-\d.]+),([-\d.]+)/g)].map((m) => Number(m[2])))
    const vanishing = ys.find((y) => y[2] !== y[0]) as number[]
    expect(vanishing[1] - vanishing[0]).toBeCloseTo(vanishing[2] - vanishing[1], 0)
    expect(ys.find((y) => y[2] === y[0])).toBeDefined() // the flat, healthy one
    for (const label of ['two series', 'vanishing (x 1e-3 per layer)', 'healthy (x 1 per layer)', 'layer (1 = input side)', '||gradient|| (log scale)']) {
      expect(svg).toContain(`>${label}<`)
    }
  })

  it('leaves zero norms off the log axis and says how many', async () => {
    const r = healthFromGrads([{ w: ones([2, 2]) }, { w: ones([2, 2]) }], [{ w: mul(ones([2, 2]), 0) }, { w: ones([2, 2]) }])
    const spec = gradNormSpec([{ name: 'z', report: r }]) as { data: { values: unknown[] }; title: { subtitle: string } }
    expect(spec.data.values).toHaveLength(1)
    expect(spec.title.subtitle).toMatch(/1 zero or non-finite values not drawn/)
    const svg = await gradNormSvg([{ name: 'z', report: r }], { leaves: 'all' })
    expect(checkXml(svg).problems).toEqual([])
  })
})

describe('formatHealthReport', () => {
  it('tabulates parameters and activations, the verdict, the findings and the thresholds', () => {
    const loss = (p: { w: Tensor; b: Tensor }): Tensor => mul(sum(p.w), 1e-7)
    const r = gradientHealth(loss, { w: ones([10, 10]), b: tensor([1, 2]) }, null, { learningRate: 0.1 })
    const text = formatHealthReport(r, { title: 'constructed' })
    const lines = text.split('\n')
    expect(lines[0]).toBe('constructed')
    expect(lines[2]).toMatch(/^parameter\s+shape\s+\|\|grad\|\|\s+\|\|param\|\|\s+grad\/param\s+update\/weight\s+non-finite\s+flags$/)
    expect(text).toMatch(/^params\.w\s+\[10,10\]\s+1\.00e-6\s+1\.00e\+1\s+1\.00e-7\s+1\.00e-8\s+0\s+vanishing,tiny-update$/m)
    expect(text).toMatch(/^params\.b\s+\[2\]\s+0\s+2\.24e\+0\s+0\s+0\s+0\s+vanishing,tiny-update$/m)
    expect(text).toContain('verdict: VANISHING')
    expect(text).toContain('thresholds:')
    expect(text).toContain('vanishing: ||g||/||w|| < 0.00001 for a parameter, or first/last layer ||g|| < 0.001')
    const healthy = formatHealthReport(gradientHealth(loss, { w: ones([2, 2]), b: tensor([1]) }, null, { thresholds: { vanishingGradToParam: 0 } }), { thresholds: false })
    expect(healthy).toContain('verdict: healthy')
    expect(healthy).not.toContain('thresholds:')
  })
})
