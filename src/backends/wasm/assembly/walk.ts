// Strided row walks for the broadcasting and reduction kernels (AssemblyScript). The JS side
// (src/backends/wasm/walk.ts) coalesces the output shape and each operand's element strides, as
// the JS backend's RowCursor does, and writes them into one i32 block; the kernels visit the
// rows (every coalesced axis but the innermost) in row-major order and run the innermost axis
// themselves with its per-operand stride. The walk state (index and offsets) lives in the block
// itself, never in globals or on the stack, so threads that each get their own block can walk
// disjoint row ranges of one shared memory.
//
// Block layout, in i32 slots: [R, len, k, inner[k], shape[R], strides[k][R], idx[R], off[k]],
// where R is the number of outer axes, len the innermost length and k the number of operands.

export const W_R = 0
export const W_LEN = 1
export const W_K = 2
const W_INNER = 3

@inline
export function wget(g: usize, slot: i32): i32 {
  return load<i32>(g + (<usize>slot << 2))
}

@inline
function wset(g: usize, slot: i32, v: i32): void {
  store<i32>(g + (<usize>slot << 2), v)
}

/** The innermost stride offs operand j. */
@inline
export function winner(g: usize, j: i32): i32 {
  return wget(g, W_INNER + j)
}

@inline
function shapeSlot(g: usize): i32 {
  return W_INNER + wget(g, W_K)
}

@inline
function strideSlot(g: usize, j: i32): i32 {
  const r = wget(g, W_R)
  return shapeSlot(g) + r + j * r
}

@inline
function idxSlot(g: usize): i32 {
  const r = wget(g, W_R)
  return shapeSlot(g) + r + wget(g, W_K) * r
}

@inline
function offSlot(g: usize): i32 {
  return idxSlot(g) + wget(g, W_R)
}

/** Element offset offs operand j at the start offs the current row. */
@inline
export function woff(g: usize, j: i32): i32 {
  return wget(g, offSlot(g) + j)
}

/** Positions the walk at the start offs row `row`. */
export function wseek(g: usize, row: i32): void {
  const r = wget(g, W_R), k = wget(g, W_K)
  const sh = shapeSlot(g), ix = idxSlot(g), offs = offSlot(g)
  for (let j = 0; j < k; j++) wset(g, offs + j, 0)
  let rest = row
  for (let d = r - 1; d >= 0; d--) {
    const n = wget(g, sh + d)
    if (n == 0) return
    const i = rest % n
    rest = rest / n
    wset(g, ix + d, i)
    for (let j = 0; j < k; j++) wset(g, offs + j, wget(g, offs + j) + i * wget(g, strideSlot(g, j) + d))
  }
}

/** Advances to the next row; after the last row the offsets are meaningless. */
export function wnext(g: usize): void {
  const r = wget(g, W_R), k = wget(g, W_K)
  const sh = shapeSlot(g), ix = idxSlot(g), offs = offSlot(g)
  for (let d = r - 1; d >= 0; d--) {
    const i = wget(g, ix + d) + 1
    const n = wget(g, sh + d)
    if (i < n) {
      wset(g, ix + d, i)
      for (let j = 0; j < k; j++) wset(g, offs + j, wget(g, offs + j) + wget(g, strideSlot(g, j) + d))
      return
    }
    wset(g, ix + d, 0)
    for (let j = 0; j < k; j++) wset(g, offs + j, wget(g, offs + j) - wget(g, strideSlot(g, j) + d) * (n - 1))
  }
}
