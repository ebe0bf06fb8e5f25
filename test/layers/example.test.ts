/**
 * Keeps src/layers/README.md true: its runnable blocks type-check and run (test/helpers/doc-blocks.ts),
 * and the first block, the MLP-and-CNN example, stays under 15 lines.
 */

import { describe, expect, it } from 'vitest'
import { entrySources, runBlock, runnableBlocks, typeErrors } from '../helpers/doc-blocks.js'

const FILE = 'src/layers/README.md'
const blocks = runnableBlocks(FILE)
const entries = entrySources()

describe(FILE, () => {
  it('has the example and the training block, each asserting something', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(2)
    for (const b of blocks) {
      expect(b.code).toMatch(/from ['"]puregrad\/layers['"]/)
      expect(b.code).toMatch(/\bthrow\b/)
    }
    const lines = blocks[0].code.split('\n').filter((l) => l.trim() !== '')
    expect(lines.length, 'the MLP + CNN example').toBeLessThan(15)
    expect(blocks[0].code).toMatch(/sequential\(dense/)
    expect(blocks[0].code).toMatch(/conv2d/)
  })

  it('its blocks type-check under the repo tsconfig', () => {
    expect(typeErrors(blocks, FILE, entries)).toEqual([])
  })

  blocks.forEach((b, i) => {
    it(`block ${i + 1} (line ${b.line}) runs and exits 0`, async () => {
      const r = await runBlock(b, entries)
      expect(r.code, `${FILE} block at line ${b.line} failed:\n${r.output}`).toBe(0)
    })
  })
})
