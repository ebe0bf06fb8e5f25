/**
 * The gradient-health report as terminal text: a table of parameters (gradient norm, parameter
 * norm, their ratio, update-to-weight ratio, non-finite counts, flags), a table of activations
 * (mean, std, dead ReLU and saturated fractions), then the verdict, the findings with their
 * measured values, the first non-finite op if any, and the thresholds used. Plain ASCII, aligned
 * columns, no colour codes, so it reads the same in a log file.
 */

import { fmtShape } from '../core/errors.js'
import type { HealthReport } from './health.js'
import { describeThresholds } from './thresholds.js'

const sci = (x: number | null): string => (x === null ? '-' : x === 0 ? '0' : Number.isFinite(x) ? x.toExponential(2) : String(x))
const pct = (x: number | null): string => (x === null ? '-' : `${(100 * x).toFixed(1)}%`)

/**
 * Lays out rows as columns separated by two spaces, under the header and a rule; numeric columns
 * (indices in `right`) are right-aligned.
 *
 * @example
 * ```ts
 * import { table } from 'puregrad/diagnostics'
 *
 * const text = table(['name', 'n'], [['a', '1'], ['bbb', '10']], new Set([1]))
 * if (text !== 'name   n\n----  --\na      1\nbbb   10') throw new Error(JSON.stringify(text))
 * ```
 */
export const table = (header: readonly string[], rows: readonly (readonly string[])[], right: ReadonlySet<number> = new Set()): string => {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)))
  const line = (r: readonly string[]): string =>
    r.map((cell, c) => (right.has(c) ? cell.padStart(widths[c]) : cell.padEnd(widths[c]))).join('  ').trimEnd()
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n')
}

/** Options of `formatHealthReport`. */
export interface FormatOptions {
  /** Print the thresholds at the end; default true. */
  readonly thresholds?: boolean
  /** A title line. */
  readonly title?: string
}

/**
 * The report as a multi-line string (no trailing newline): the tables, the verdict, the findings
 * and the thresholds.
 *
 * @example
 * ```ts
 * import { tensor } from 'puregrad'
 * import { healthFromGrads, formatHealthReport } from 'puregrad/diagnostics'
 *
 * const r = healthFromGrads({ w: tensor([[1, 2]]) }, { w: tensor([[1e4, 0]]) })
 * const text = formatHealthReport(r, { title: 'step 0', thresholds: false })
 * if (!text.startsWith('step 0') || !text.includes('verdict: EXPLODING')) throw new Error(text)
 * ```
 */
export const formatHealthReport = (r: HealthReport, opts: FormatOptions = {}): string => {
  const out: string[] = []
  if (opts.title !== undefined) out.push(opts.title, '')
  out.push(table(
    ['parameter', 'shape', '||grad||', '||param||', 'grad/param', 'update/weight', 'non-finite', 'flags'],
    r.params.map((p) => [
      p.path, fmtShape(p.shape), sci(p.gradNorm), sci(p.paramNorm), sci(p.gradToParam), sci(p.updateToWeight),
      p.nonFiniteGrads + p.nonFiniteParams === 0 ? '0' : `${p.nonFiniteGrads} g, ${p.nonFiniteParams} w`,
      p.flags.join(','),
    ]),
    new Set([2, 3, 4, 5, 6]),
  ))
  if (r.activations.length > 0) {
    out.push('', table(
      ['activation', 'kind', 'shape', 'mean', 'std', 'dead units', 'saturated', 'non-finite', 'flags'],
      r.activations.map((a) => [
        a.name, a.kind, fmtShape(a.shape), a.mean.toPrecision(3), a.std.toPrecision(3), pct(a.deadFraction), pct(a.saturatedFraction),
        String(a.nonFinite), a.flags.join(','),
      ]),
      new Set([3, 4, 5, 6, 7]),
    ))
  }
  const verdict = [r.vanishing && 'VANISHING', r.exploding && 'EXPLODING', r.nonFinite && 'NON-FINITE'].filter(Boolean).join(' + ') || 'healthy'
  out.push(
    '',
    `loss ${Number.isFinite(r.loss) ? r.loss.toPrecision(5) : String(r.loss)}   global ||grad|| ${sci(r.globalGradNorm)}   ` +
    `first/last layer ||grad|| ${sci(r.firstToLast)}${r.firstLayer === null ? '' : ` (${r.firstLayer} / ${r.lastLayer})`}`,
    `verdict: ${verdict}`,
  )
  for (const f of r.findings) out.push(`  - ${f}`)
  if (r.nanOrigin !== null) out.push(`  NaN origin: ${r.nanOrigin.message}`)
  if (opts.thresholds ?? true) {
    out.push('thresholds:')
    for (const l of describeThresholds(r.thresholds)) out.push(`  ${l}`)
  }
  return out.join('\n')
}
