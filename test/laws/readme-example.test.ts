/**
 * The example of laws/README.md, run: property-testing a user's own layer with checkLayer. The
 * snippet between the region markers is the README's code block with the package imports
 * ('puregrad', 'puregrad/laws') written as relative paths; the second test keeps the two equal.
 */

import { describe, expect } from 'vitest'
import { readFileSync } from 'node:fs'
import * as E from 'fp-ts/lib/Either.js'
import { fileURLToPath } from 'node:url'

// #region readme
import { it } from 'vitest'
import { add, matmul, tanh, zeros, type Tensor } from '../../src/index.js'
import { arbLike, arbTensor, checkLayer } from '../../laws/index.js'

type Dense = { w: Tensor; b: Tensor }
const dense = { apply: (p: Dense, s: null, x: Tensor) => [tanh(add(matmul(x, p.w), p.b)), s] as const }

it('dense layer: gradients obey the laws for all parameters and inputs', () => {
  const params = arbLike({ w: zeros([3, 2]), b: zeros([2]) })
  checkLayer(dense, { params, state: null, input: arbTensor({ shape: [4, 3] }) }, { order: 2 })
})
// #endregion readme

import { verifyLayer, LawFailure } from '../../laws/index.js'
import { customVjp, mul, sub } from '../../src/index.js'

const here = fileURLToPath(import.meta.url)
const snippet = (): string => {
  const src = readFileSync(here, 'utf8')
  const body = src.slice(src.indexOf('// #region readme\n') + '// #region readme\n'.length, src.indexOf('// #endregion readme'))
  return body.replaceAll("'../../src/index.js'", "'puregrad'").replaceAll("'../../laws/index.js'", "'puregrad/laws'").trim()
}

describe('laws/README.md', () => {
  it('shows exactly the snippet this file runs', () => {
    const readme = readFileSync(new URL('../../laws/README.md', import.meta.url), 'utf8')
    const block = /<!-- example -->\s*```ts\n([\s\S]*?)```/.exec(readme)
    expect(block, 'README has a ts code block after <!-- example -->').not.toBeNull()
    expect(block?.[1].trim()).toBe(snippet())
    expect(snippet().split('\n').filter((l) => l.trim() !== '').length).toBeLessThanOrEqual(10)
  })

  it('the main README shows the same snippet', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8')
    const block = /<!-- laws-example -->\s*```ts\n([\s\S]*?)```/.exec(readme)
    expect(block?.[1].trim()).toBe(snippet())
  })

  it('the same check catches a layer whose derivative is wrong, naming the law and the point', () => {
    // A hand-written activation whose reverse rule says tanh' = 1 - y (it is 1 - y^2).
    const fastTanh = customVjp((z: Tensor) => tanh(z), (z: Tensor) => { const y = tanh(z); return [y, y] as const },
      (y: Tensor, ct: Tensor) => [mul(ct, sub(1, y))])
    const broken = { apply: (p: Dense, s: null, x: Tensor) => [fastTanh(add(matmul(x, p.w), p.b)), s] as const }
    const params = arbLike({ w: zeros([3, 2]), b: zeros([2]) })
    const r = verifyLayer(broken, { params, state: null, input: arbTensor({ shape: [4, 3] }) })
    if (E.isRight(r)) throw new Error('expected the broken layer to fail')
    expect(r.left).toBeInstanceOf(LawFailure)
    expect(r.left.law).toMatch(/^vjp-/)
    expect(r.left.counterexample).toContain('layer.params.w [3,2] float32') // as drawn; checked in float64
    expect(r.left.counterexample).toContain('layer.input [4,3] float64')
  })
})
