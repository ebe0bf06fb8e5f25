// Adam's moment updates in one pass (Backend.fusedAdam): reads g, m, v once and writes the new
// moments and the bias-corrected direction times `scale` (-lr, or 1), each operation rounded to
// f32 in the order the composite optimizer ops use, so both paths give the same bits.
export function adam(g: usize, m: usize, v: usize, mo: usize, vo: usize, uo: usize, n: i32,
  b1: f32, omb1: f32, b2: f32, omb2: f32, c1: f32, c2: f32, eps: f32, scale: f32): void {
  const vb1 = f32x4.splat(b1), vomb1 = f32x4.splat(omb1), vb2 = f32x4.splat(b2), vomb2 = f32x4.splat(omb2)
  const vc1 = f32x4.splat(c1), vc2 = f32x4.splat(c2), veps = f32x4.splat(eps), vscale = f32x4.splat(scale)
  let i = 0
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2
    const gi = v128.load(g + o)
    const mi = f32x4.add(f32x4.mul(v128.load(m + o), vb1), f32x4.mul(gi, vomb1))
    const vi = f32x4.add(f32x4.mul(v128.load(v + o), vb2), f32x4.mul(f32x4.mul(gi, gi), vomb2))
    v128.store(mo + o, mi)
    v128.store(vo + o, vi)
    v128.store(uo + o, f32x4.mul(f32x4.div(f32x4.div(mi, vc1), f32x4.add(f32x4.sqrt(f32x4.div(vi, vc2)), veps)), vscale))
  }
  for (; i < n; i++) {
    const o = <usize>i << 2
    const gi = load<f32>(g + o)
    const mi = load<f32>(m + o) * b1 + gi * omb1
    const vi = load<f32>(v + o) * b2 + gi * gi * omb2
    store<f32>(mo + o, mi)
    store<f32>(vo + o, vi)
    store<f32>(uo + o, ((mi / c1) / (Mathf.sqrt(vi / c2) + eps)) * scale)
  }
}
