/**
 * A child process for checkpoint-safety.test.ts: saves two alternating 4 MiB checkpoints (every
 * value 1, then every value 2) to one path, forever, printing "saved <n>" after each save, until
 * the test kills it with SIGKILL at an arbitrary moment.
 *
 *   node --import tsx test/reliability/checkpoint-writer.ts <path>
 */

import { full } from '../../src/index.js'
import { saveCheckpoint } from '../../src/io/node.js'

const path = process.argv[2]
if (path === undefined) throw new Error('usage: checkpoint-writer.ts <path>')
const records = [1, 2].map((v) => ({ w: full([1024, 1024], v), b: full([1024], v) }))

for (let n = 0; ; n++) {
  const r = await saveCheckpoint(path, records[n % 2], { n })
  if (r._tag === 'Left') throw new Error(`save failed: ${JSON.stringify(r.left)}`)
  process.stdout.write(`saved ${n}\n`)
}
