/// <reference types="@webgpu/types" />
/**
 * Out-of-range indices on the webgpu backend, reported without a CPU round trip per op. gather and
 * scatterAdd cannot throw from a shader, and reading every index tensor back would stall each op;
 * instead a kernel that meets an index outside its axis records the first one in a 4-word flag
 * buffer (op, index, axis length, axis) and produces 0 for that element (gather) or drops it
 * (scatterAdd). Every read copies the flag buffer along with the values, in the same submission,
 * so the next `await x.data()` after such a kernel fails with INDEX_OUT_OF_RANGE naming the op,
 * the index and the axis, as the JS backend does at once. The flag is then cleared.
 */

import { PuregradError } from '../../core/errors.js'

/** The flag buffer's binding in every bind group layout (after the meta window and the chunks). */
export const CHECK_BINDING = 15
export const CHECK_BYTES = 16

const OPS = ['', 'gather', 'scatterAdd'] as const
/** The op codes the shaders store (0 means no error). */
export const CHECK_CODE = { gather: 1, scatterAdd: 2 } as const

/**
 * WGSL declaring the flag buffer and `flag_index(code, index, length, axis)`, which keeps the
 * first report: later ones lose the compare-exchange and leave it as it is.
 */
export const CHECK_WGSL = /* wgsl */ `
@group(0) @binding(${CHECK_BINDING}) var<storage, read_write> chk: array<atomic<u32>, 4>;
fn flag_index(code: u32, index: i32, len: u32, axis: u32) {
  if (atomicCompareExchangeWeak(&chk[0], 0u, code).exchanged) {
    atomicStore(&chk[1], bitcast<u32>(index));
    atomicStore(&chk[2], len);
    atomicStore(&chk[3], axis);
  }
}
`

/** The error recorded in the flag words, or null when none was. */
export const indexError = (words: Uint32Array): PuregradError | null => {
  const op = OPS[words[0]]
  if (op === undefined || op === '') return null
  const index = words[1] | 0
  return new PuregradError('INDEX_OUT_OF_RANGE',
    `index ${index} outside axis ${words[3]} of length ${words[2]} (found on the GPU by an earlier ${op} and reported at this read; ` +
    `${op === 'gather' ? 'the elements it selected read as 0' : 'its updates were dropped'})`,
    op)
}
