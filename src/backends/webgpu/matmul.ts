/**
 * Batched matmul of the webgpu backend: 16x16 output tiles per workgroup, operands staged through
 * workgroup memory 16 columns of k at a time. Transposed operands are read in place (the flags
 * only change the index arithmetic) and batch dimensions broadcast, numpy style: every batch
 * matrix's offset into a and b comes from the output batch index through broadcast strides in
 * the meta block. One pipeline per dtype.
 */

import type { Kernel } from '../backend.js'
import { broadcastStrides, sizeOf } from '../js/strides.js'
import { coalesce, wgslType } from './elementwise.js'
import type { GpuData, Runtime } from './runtime.js'
import { io, PRELUDE } from './wgsl-math.js'

const T = 16

const shader = (t: string) => (chunks: number): string => `${PRELUDE}
${io([t, t], t, chunks)}
var<workgroup> ta: array<array<${t}, ${T}>, ${T}>;
var<workgroup> tb: array<array<${t}, ${T}>, ${T}>;

// pm: [M, N, K, transposeA, transposeB, batchBase, rank, batch shape, a strides, b strides] (strides in matrices).
fn batch_offsets(bi: u32) -> vec2u {
  let rank = pm[6];
  var rem = bi;
  var oa = 0u;
  var ob = 0u;
  for (var d = rank; d > 0u; d = d - 1u) {
    let dim = pm[6u + d];
    let ix = rem % dim;
    rem = rem / dim;
    oa = oa + ix * pm[6u + rank + d];
    ob = ob + ix * pm[6u + 2u * rank + d];
  }
  return vec2u(oa, ob);
}

@compute @workgroup_size(${T}, ${T})
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) l: vec3u) {
  let M = pm[0];
  let N = pm[1];
  let K = pm[2];
  let transA = pm[3] != 0u;
  let transB = pm[4] != 0u;
  let bi = pm[5] + wg.z;
  let offs = batch_offsets(bi);
  let aOff = offs.x * M * K;
  let bOff = offs.y * K * N;
  let row = wg.y * ${T}u + l.y;
  let col = wg.x * ${T}u + l.x;
  var acc: ${t} = ${t}(0);
  for (var k0 = 0u; k0 < K; k0 = k0 + ${T}u) {
    let ka = k0 + l.x;
    var av: ${t} = ${t}(0);
    if (row < M && ka < K) { av = x0(aOff + select(row * K + ka, ka * M + row, transA)); }
    ta[l.y][l.x] = av;
    let kb = k0 + l.y;
    var bv: ${t} = ${t}(0);
    if (kb < K && col < N) { bv = x1(bOff + select(kb * N + col, col * K + kb, transB)); }
    tb[l.y][l.x] = bv;
    workgroupBarrier();
    for (var p = 0u; p < ${T}u; p = p + 1u) { acc = acc + ta[l.y][p] * tb[p][l.x]; }
    workgroupBarrier();
  }
  if (row < M && col < N) { sty(bi * M * N + row * N + col, acc); }
}`

export const matmulKernels = (rt: Runtime): { matmul: Kernel<'matmul', GpuData> } => ({
  matmul: (inputs, params, out) => {
    const [A, B] = inputs
    const ro = out.shape.length
    const m = out.shape[ro - 2]
    const n = out.shape[ro - 1]
    const k = params.transposeA ? A.shape[A.shape.length - 2] : A.shape[A.shape.length - 1]
    const y = rt.alloc(sizeOf(out.shape))
    const batchShape = out.shape.slice(0, ro - 2)
    const batch = sizeOf(batchShape)
    if (batch === 0 || m === 0 || n === 0) return y
    const [bs, [as, bst]] = coalesce(batchShape, [
      broadcastStrides(A.shape.slice(0, -2), batchShape), broadcastStrides(B.shape.slice(0, -2), batchShape),
    ])
    const source = shader(wgslType(out.dtype))
    const maxZ = rt.device.limits.maxComputeWorkgroupsPerDimension
    // A k of 0 still runs: the tiles load nothing and every output is 0.
    for (let base = 0; base < batch; base += maxZ) {
      const meta = [m, n, k, params.transposeA ? 1 : 0, params.transposeB ? 1 : 0, base, bs.length, ...bs, ...as, ...bst]
      rt.dispatch('matmul', `matmul:${out.dtype}`, source, meta, [A.data, B.data], y, [Math.ceil(n / T), Math.ceil(m / T), Math.min(maxZ, batch - base)])
    }
    return y
  },
})
