/**
 * Forcing garbage collection from a test, so memory tests can check that counted bytes return
 * to baseline. Finalizers run only after the current job yields, hence the awaits.
 */

import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'

setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void

/** Collects garbage and lets finalizers run, a few rounds. */
export const collect = async (rounds = 4): Promise<void> => {
  for (let i = 0; i < rounds; i++) {
    gc()
    await new Promise((r) => setTimeout(r, 10))
  }
}
