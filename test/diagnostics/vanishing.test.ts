/**
 * The vanishing / exploding gradient experiment (examples/vanishing.ts, `npm run demo --
 * --experiment vanishing`) as a test: the measured first/last layer gradient-norm ratios, with
 * margin, for the 20-layer sigmoid MLP with N(0, 0.01^2) init (measured 2.8e-34), its two cures
 * (ReLU + He: 0.84; residual + layerNorm: 5.0e-2) and the too-large init (global norm 5.2e15)
 * that global-norm clipping bounds; and the SVG of per-layer norms, one line per case.
 */

import { beforeAll, describe, expect, it } from 'vitest'
import { useWasmSync } from '../../src/backends/wasm/index.js'
import { runVanishing, summaryLines, type VanishingResult } from '../../examples/vanishing.js'
import { checkXml } from './xml.js'

let r: VanishingResult

beforeAll(async () => {
  useWasmSync() // the CLI's default backend; the js backend gives the same ratios, three times slower
  r = await runVanishing({ svgPath: null })
}, 60_000)

describe('the vanishing-gradient experiment', () => {
  it('sigmoid with N(0, 0.01^2) init: the first layer gets a gradient >= 20 orders of magnitude below the last', () => {
    const s = r.sigmoid.report
    expect(s.firstLayer).toBe('params[0].w')
    expect(s.lastLayer).toBe('params[40].w')
    expect(s.firstToLast).not.toBeNull()
    expect(s.firstToLast as number).toBeLessThan(1e-20)
    expect(s.vanishing).toBe(true)
    expect(s.exploding).toBe(false)
    expect(s.params[1].flags).toContain('vanishing') // params[0].w, after params[0].b in leaf order
    // Not saturation: N(0, 0.01^2) keeps every sigmoid near 0.5, where its slope is 1/4.
    expect(s.activations).toHaveLength(20)
    for (const a of s.activations) {
      expect(a.saturatedFraction).toBe(0)
      expect(Math.abs(a.mean - 0.5)).toBeLessThan(0.05)
    }
    // The norms fall geometrically layer by layer towards the input.
    const w = s.params.filter((p) => p.isWeight).map((p) => p.gradNorm)
    for (let i = 1; i < 20; i++) expect(w[i - 1]).toBeLessThan(w[i] / 10)
  })

  it('ReLU with He init cures it: first/last within one order of magnitude', () => {
    const q = r.relu.report.firstToLast as number
    expect(q).toBeGreaterThan(0.1)
    expect(q).toBeLessThan(10)
    expect(r.relu.report.vanishing).toBe(false)
    expect(r.relu.report.exploding).toBe(false)
  })

  it('residual blocks with layerNorm cure it with the same sigmoid and init: within two orders', () => {
    const q = r.residual.report.firstToLast as number
    expect(q).toBeGreaterThan(1e-2)
    expect(q).toBeLessThan(1e2)
    expect(r.residual.report.vanishing).toBe(false)
    expect(r.residual.report.activations.map((a) => a.name)).toHaveLength(20)
  })

  it('a too-large init explodes; clipping by global norm bounds the gradient and the steps', () => {
    const e = r.explode
    expect(e.report.exploding).toBe(true)
    expect(e.report.globalGradNorm).toBeGreaterThan(1e10)
    expect(e.clipped.globalGradNorm).toBeLessThanOrEqual(e.maxNorm * (1 + 1e-5))
    expect(e.clipped.globalGradNorm).toBeGreaterThan(e.maxNorm * (1 - 1e-5))
    expect(e.clipped.exploding).toBe(false)
    // Clipping scales every layer alike: the per-layer ratios are unchanged.
    expect(e.clipped.firstToLast as number).toBeCloseTo(e.report.firstToLast as number, 4)
    // Plain SGD overflows after one step; with clipping the loss falls at every step.
    expect(Number.isFinite(e.lossesUnclipped[0])).toBe(true)
    expect(e.lossesUnclipped.slice(1).every((v) => !Number.isFinite(v))).toBe(true)
    expect(e.lossesClipped).toHaveLength(11)
    for (let i = 1; i < e.lossesClipped.length; i++) expect(e.lossesClipped[i]).toBeLessThan(e.lossesClipped[i - 1])
    expect(e.lossesClipped[10]).toBeLessThan(0.9 * e.lossesClipped[0])
  })

  it('states the measured ratios', () => {
    const lines = summaryLines(r)
    expect(lines[0]).toContain(`first/last ||g||  ${(r.sigmoid.report.firstToLast as number).toExponential(2)}`)
    expect(lines[0]).toMatch(/VANISHING$/)
    expect(lines[1]).toMatch(/healthy$/)
    expect(lines[2]).toMatch(/healthy$/)
    expect(lines[3]).toMatch(/EXPLODING$/)
    expect(lines[4]).toMatch(/global \|\|g\|\|\s+1\.00e\+0\s+healthy$/)
  })

  it('plots the per-layer norms of all five cases in a well-formed SVG', () => {
    expect(checkXml(r.svg).problems).toEqual([])
    const lines = [...r.svg.matchAll(/<g class="mark-line role-mark[^"]*"[^>]*>((?:<path [^>]*\/>)+)/g)]
      .flatMap((m) => [...m[1].matchAll(/\bd="([^"]+)"/g)].map((d) => d[1]))
    expect(lines).toHaveLength(5)
    for (const d of lines) expect(d.split('L')).toHaveLength(21) // 20 hidden layers + readout
    for (const name of [r.sigmoid.name, r.relu.name, r.residual.name, r.explode.name, 'same, clipped to global norm 1']) {
      expect(r.svg).toContain(`>${name}<`)
    }
  })
})
