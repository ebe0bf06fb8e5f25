/**
 * Renders a Vega-Lite spec to an SVG document in Node (or a browser), headless: compiled to Vega
 * and drawn by a view with no renderer attached, no browser or canvas needed. vega and vega-lite
 * are optional: they are imported when the first SVG is rendered, and a missing one is a clear
 * error, so nothing else in puregrad depends on them.
 */

import { PuregradError } from '../core/errors.js'

type VegaModule = typeof import('vega')
type VegaLiteModule = typeof import('vega-lite')

let modules: Promise<[VegaModule, VegaLiteModule]> | null = null

const load = (): Promise<[VegaModule, VegaLiteModule]> => {
  modules ??= Promise.all([import('vega'), import('vega-lite')]).catch((e: unknown) => {
    modules = null
    throw new PuregradError(
      'BACKEND_UNAVAILABLE',
      `rendering SVG needs the optional packages vega and vega-lite (npm i vega vega-lite): ${e instanceof Error ? e.message : String(e)}`,
      'renderVegaLiteSvg',
    )
  })
  return modules
}

/**
 * The SVG document (a string starting with `<svg`) of a Vega-Lite spec, rendered headless.
 *
 * @throws PuregradError `BACKEND_UNAVAILABLE` (the promise rejects) when the optional packages
 * vega and vega-lite are not installed.
 * @example
 * ```ts
 * import { renderVegaLiteSvg } from 'puregrad/diagnostics'
 *
 * const svg = await renderVegaLiteSvg({
 *   data: { values: [{ step: 1, loss: 2 }, { step: 2, loss: 1 }] },
 *   mark: 'line',
 *   encoding: { x: { field: 'step', type: 'quantitative' }, y: { field: 'loss', type: 'quantitative' } },
 * })
 * if (!svg.startsWith('<svg')) throw new Error(svg.slice(0, 40))
 * ```
 */
export const renderVegaLiteSvg = async (spec: object): Promise<string> => {
  const [vega, vl] = await load()
  const compiled = vl.compile(spec as Parameters<VegaLiteModule['compile']>[0]).spec
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' })
  try {
    return await view.toSVG()
  } finally {
    view.finalize()
  }
}
