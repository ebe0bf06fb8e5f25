/**
 * The demo (examples/demo.ts) as a test: its exported `train` runs a few epochs on the shipped
 * digits data, must beat chance (0.1) by far, must report healthy gradients for every parameter,
 * and must write an SVG that holds both plotted curves (one line path per panel, one point per
 * epoch) and their axis titles, and a gradient-norm SVG with one line per health report.
 */

import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { train } from '../../examples/demo.js'

/** The `d` attribute of the line path in each `mark-line` group, in document order. */
const linePaths = (svg: string): string[] =>
  [...svg.matchAll(/<g class="mark-line role-mark[^"]*"[^>]*><path [^>]*\bd="([^"]+)"/g)].map((m) => m[1])

describe('examples/demo.ts', () => {
  const dir = mkdtempSync(join(tmpdir(), 'puregrad-demo-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('trains the MLP well above chance in a few epochs and plots loss and accuracy', async () => {
    const epochs = 4
    const svgPath = join(dir, 'plots', 'loss.svg')
    const lines: string[] = []
    const r = await train({ epochs, seed: 0, svgPath, progress: 'lines', logEvery: 2, log: (l) => lines.push(l) })

    expect(r.history.map((h) => h.epoch)).toEqual([1, 2, 3, 4])
    expect(r.accuracy).toBeGreaterThan(0.8)
    expect(r.accuracy).toBe(r.history[epochs - 1].testAccuracy)
    for (const h of r.history) expect(Number.isFinite(h.loss)).toBe(true)
    expect(r.history[epochs - 1].loss).toBeLessThan(r.history[0].loss)
    expect(r.params.l1.w.shape).toEqual([64, 64])
    expect(r.params.l2.w.shape).toEqual([64, 10])
    expect(lines.some((l) => /epoch\s+4\/4\s+loss \d\.\d{4}\s+test accuracy 0\.\d{4}/.test(l))).toBe(true)
    // the health reports cover every parameter, and a trained small MLP is healthy
    for (const rep of [r.health.first, r.health.last]) {
      expect(rep.params.map((p) => p.path)).toEqual(['params.l1.b', 'params.l1.w', 'params.l2.b', 'params.l2.w'])
      expect(rep.vanishing || rep.exploding || rep.nonFinite).toBe(false)
    }

    const svg = readFileSync(svgPath, 'utf8')
    expect(svg.startsWith('<svg')).toBe(true)
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true)
    const paths = linePaths(svg)
    expect(paths).toHaveLength(2) // loss and test accuracy
    for (const d of paths) expect(d.split('L')).toHaveLength(epochs) // one vertex per epoch
    expect(svg).toContain('>epoch<')
    expect(svg).toContain('>training loss (cross-entropy, log scale)<')
    expect(svg).toContain('>test accuracy<')

    // the gradient-norm plot: one line per report (epoch 1 and the last), one vertex per parameter
    const grads = readFileSync(r.gradSvgPath ?? '', 'utf8')
    expect(r.gradSvgPath).toBe(join(dir, 'plots', 'grad-norms.svg'))
    expect(grads.startsWith('<svg')).toBe(true)
    const gradPaths = linePaths(grads)
    expect(gradPaths).toHaveLength(2)
    for (const d of gradPaths) expect(d.split('L')).toHaveLength(4)
    expect(grads).toContain('after epoch 1')
    expect(grads).toContain(`after epoch ${epochs}`)
  })

  it('is deterministic for a seed', async () => {
    const a = await train({ epochs: 1, seed: 3, svgPath: null, progress: 'none' })
    const b = await train({ epochs: 1, seed: 3, svgPath: null, progress: 'none' })
    expect(b.history).toEqual(a.history)
  })
})
