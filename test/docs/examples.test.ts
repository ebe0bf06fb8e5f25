/**
 * The doc-example runner checks what examples claim: `expr // => value` and `expr // throws CODE`
 * lines pass only when they are true, so a reference example cannot show a wrong result.
 */

import { describe, expect, it } from 'vitest'
import { entrySources } from '../helpers/doc-blocks.js'
import { runBlocks, withExpectations } from './examples.js'

const block = (body: string) => ({ line: 1, info: 'ts', code: `import { add, tensor } from 'puregrad'\n${body}\n` })

describe('doc examples: expected results', () => {
  it('leaves code without expectations as it is', () => {
    const code = "import { add } from 'puregrad'\nconst y = 1 // a comment\n"
    expect(withExpectations(code)).toBe(code)
  })

  it('passes true claims and fails false ones, naming the line and the actual value', async () => {
    const cases: [string, RegExp | null][] = [
      ['add(tensor([1, 2]), 1).arraySync() // => [2, 3]', null],
      ['add(tensor([1, 2]), 1).arraySync() // => [2, 4]', /\/\/ => \[2, 4\]: got \[2,3\]/],
      ['tensor([0.1, 1 / 3]).dataSync() // => [0.1, 0.33333]', null],
      ['tensor([0.1]).dataSync() // => [0.11]', /got \[0\.1/],
      ['tensor([NaN]).arraySync() // => [NaN]', null],
      ['tensor([[1], [2]]).shape // => [2]', /got \[2,1\]/],
      ["tensor([1]).dtype // => 'float32'", null],
      ['add(tensor([1, 2]), tensor([1, 2, 3])) // throws BROADCAST', null],
      ['add(tensor([1, 2]), tensor([1, 2, 3])) // throws SHAPE_MISMATCH', /expected a PuregradError SHAPE_MISMATCH, got PuregradError: add: shapes/],
      ['add(tensor([1, 2]), 1) // throws BROADCAST', /expected a PuregradError BROADCAST, got no error/],
      ['const y = add(tensor([1]), 1) // => [2]', /needs an expression, not a statement/],
      ['(await tensor([3]).array()) // => [3]', null],
    ]
    const results = await runBlocks(cases.map(([body]) => block(body)), entrySources())
    cases.forEach(([body, want], i) => {
      if (want === null) expect(results[i], body).toBeNull()
      else expect(results[i], body).toMatch(want)
    })
  }, 120_000)
})
