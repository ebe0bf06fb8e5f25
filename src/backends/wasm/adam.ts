/**
 * The wasm backend's `fusedAdam` (Backend.fusedAdam): Adam's moment updates and direction (times
 * the learning rate) for one float32 leaf in one SIMD pass (assembly/adam.ts) instead of fourteen
 * elementwise kernels, each with its own copies and result array. Operands go through the arena
 * like any kernel's, and the three results are fresh JS-heap arrays, so nothing needs disposing.
 */

import type { TypedArray } from '../../core/dtype.js'
import type { Backend } from '../backend.js'
import { need, type Arena } from './arena.js'

type AdamExport = (g: number, m: number, v: number, mo: number, vo: number, uo: number, n: number,
  b1: number, omb1: number, b2: number, omb2: number, c1: number, c2: number, eps: number, scale: number) => void

/** The backend method, counting each call it runs in `onCall`. */
export const wasmFusedAdam = (exports: unknown, arena: Arena, onCall: () => void): NonNullable<Backend<TypedArray>['fusedAdam']> => {
  const run = (exports as { adam: AdamExport }).adam
  return (g, m, v, size, h) => {
    if (!(g instanceof Float32Array && m instanceof Float32Array && v instanceof Float32Array)) return undefined
    const bytes = size * 4
    arena.begin('fusedAdam', need(bytes, bytes, bytes, bytes, bytes, bytes))
    const pg = arena.copyIn(g), pm = arena.copyIn(m), pv = arena.copyIn(v)
    const mo = arena.alloc(bytes), vo = arena.alloc(bytes), uo = arena.alloc(bytes)
    run(pg, pm, pv, mo, vo, uo, size, h.b1, h.omb1, h.b2, h.omb2, h.c1, h.c2, h.eps, h.scale)
    onCall()
    return {
      mu: arena.copyOut(mo, size, 'float32'),
      nu: arena.copyOut(vo, size, 'float32'),
      update: arena.copyOut(uo, size, 'float32'),
    }
  }
}
