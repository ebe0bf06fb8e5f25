// 2-D pooling, NHWC, float32 (AssemblyScript), and the linear maps its derivatives need. Windows
// are visited exactly as the JS reference visits them (output position, then valid input rows
// and columns in row-major order, channels innermost), padded positions never count, and sums
// run in float64, so every result is the reference's bit for bit.
//
// Geometry arrives as one i32 block: [N, H, W, C, OH, OW, window h, w, stride h, w, pad top, left].

const N = 0, H = 1, W = 2, C = 3, OH = 4, OW = 5, WH = 6, WW = 7, SH = 8, SW = 9, PT = 10, PL = 11

@inline
function geo(g: usize, i: i32): i32 {
  return load<i32>(g + (<usize>i << 2))
}

/**
 * For every output element, the flat index into x of its window's maximum (-1 for a window with
 * no valid position) into `arg`, and the maximum itself (-Infinity there) into `y`. Ties go to the
 * first position; a NaN beats every number and the first NaN wins.
 */
export function maxPoolArg(x: usize, g: usize, y: usize, arg: usize): void {
  const n = geo(g, N), h = geo(g, H), w = geo(g, W), c = geo(g, C), oh = geo(g, OH), ow = geo(g, OW)
  const wh = geo(g, WH), ww = geo(g, WW), sh = geo(g, SH), sw = geo(g, SW), pt = geo(g, PT), pl = geo(g, PL)
  const rowBytes = <usize>c << 2
  let yo = 0
  for (let b = 0; b < n; b++) {
    for (let oy = 0; oy < oh; oy++) {
      const h0 = oy * sh - pt
      const hLo = max(0, h0), hHi = min(h, h0 + wh)
      for (let ox = 0; ox < ow; ox++, yo += c) {
        const w0 = ox * sw - pl
        const wLo = max(0, w0), wHi = min(w, w0 + ww)
        const py = y + (<usize>yo << 2), pa = arg + (<usize>yo << 2)
        if (hLo >= hHi || wLo >= wHi) {
          for (let k = 0; k < c; k++) {
            store<f32>(py + (<usize>k << 2), -Infinity)
            store<i32>(pa + (<usize>k << 2), -1)
          }
          continue
        }
        const first = ((b * h + hLo) * w + wLo) * c
        memory.copy(py, x + (<usize>first << 2), rowBytes)
        for (let k = 0; k < c; k++) store<i32>(pa + (<usize>k << 2), first + k)
        for (let iy = hLo; iy < hHi; iy++) {
          for (let ix = iy == hLo ? wLo + 1 : wLo; ix < wHi; ix++) {
            const xb = ((b * h + iy) * w + ix) * c
            const px = x + (<usize>xb << 2)
            const base = i32x4.add(i32x4.splat(xb), v128(0, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0))
            let k = 0
            for (; k + 4 <= c; k += 4) {
              const q = <usize>k << 2
              const v = v128.load(px + q), m = v128.load(py + q)
              const take = v128.or(f32x4.gt(v, m), v128.and(f32x4.ne(v, v), f32x4.eq(m, m)))
              v128.store(py + q, v128.bitselect(v, m, take))
              v128.store(pa + q, v128.bitselect(i32x4.add(base, i32x4.splat(k)), v128.load(pa + q), take))
            }
            for (; k < c; k++) {
              const q = <usize>k << 2
              const v = load<f32>(px + q), m = load<f32>(py + q)
              if (v > m || (v != v && m == m)) {
                store<f32>(py + q, v)
                store<i32>(pa + q, xb + k)
              }
            }
          }
        }
      }
    }
  }
}

/** y[i] = t[arg[i]], 0 where arg is -1. */
export function selectArg(t: usize, arg: usize, y: usize, n: i32): void {
  for (let i = 0; i < n; i++) {
    const a = load<i32>(arg + (<usize>i << 2))
    store<f32>(y + (<usize>i << 2), a >= 0 ? load<f32>(t + (<usize>a << 2)) : 0)
  }
}

/** acc[arg[i]] += gr[i] over a float64 accumulator of `size` elements, zeroed here. */
export function scatterArg(gr: usize, arg: usize, acc: usize, n: i32, size: i32): void {
  memory.fill(acc, 0, <usize>size << 3)
  for (let i = 0; i < n; i++) {
    const a = load<i32>(arg + (<usize>i << 2))
    if (a >= 0) {
      const d = acc + (<usize>a << 3)
      store<f64>(d, load<f64>(d) + <f64>load<f32>(gr + (<usize>i << 2)))
    }
  }
}

/** Mean over each window's valid positions (NaN for a window with none); `acc` is C doubles of scratch. */
export function avgPool(x: usize, g: usize, y: usize, acc: usize): void {
  const n = geo(g, N), h = geo(g, H), w = geo(g, W), c = geo(g, C), oh = geo(g, OH), ow = geo(g, OW)
  const wh = geo(g, WH), ww = geo(g, WW), sh = geo(g, SH), sw = geo(g, SW), pt = geo(g, PT), pl = geo(g, PL)
  let yo = 0
  for (let b = 0; b < n; b++) {
    for (let oy = 0; oy < oh; oy++) {
      const h0 = oy * sh - pt
      const hLo = max(0, h0), hHi = min(h, h0 + wh)
      for (let ox = 0; ox < ow; ox++, yo += c) {
        const w0 = ox * sw - pl
        const wLo = max(0, w0), wHi = min(w, w0 + ww)
        memory.fill(acc, 0, <usize>c << 3)
        for (let iy = hLo; iy < hHi; iy++) {
          for (let ix = wLo; ix < wHi; ix++) {
            const px = x + (<usize>(((b * h + iy) * w + ix) * c) << 2)
            let k = 0
            for (; k + 2 <= c; k += 2) {
              const d = acc + (<usize>k << 3)
              v128.store(d, f64x2.add(v128.load(d), f64x2.promote_low_f32x4(v128.load64_zero(px + (<usize>k << 2)))))
            }
            if (k < c) store<f64>(acc + (<usize>k << 3), load<f64>(acc + (<usize>k << 3)) + <f64>load<f32>(px + (<usize>k << 2)))
          }
        }
        const cnt = <f64>(max(0, hHi - hLo) * max(0, wHi - wLo))
        const py = y + (<usize>yo << 2)
        for (let k = 0; k < c; k++) store<f32>(py + (<usize>k << 2), <f32>(load<f64>(acc + (<usize>k << 3)) / cnt))
      }
    }
  }
}

/** acc[window positions of o] += gr[o] / count(o), over a float64 accumulator of x's size, zeroed here. */
export function avgPoolGrad(gr: usize, g: usize, acc: usize): void {
  const n = geo(g, N), h = geo(g, H), w = geo(g, W), c = geo(g, C), oh = geo(g, OH), ow = geo(g, OW)
  const wh = geo(g, WH), ww = geo(g, WW), sh = geo(g, SH), sw = geo(g, SW), pt = geo(g, PT), pl = geo(g, PL)
  memory.fill(acc, 0, <usize>(n * h * w * c) << 3)
  let yo = 0
  for (let b = 0; b < n; b++) {
    for (let oy = 0; oy < oh; oy++) {
      const h0 = oy * sh - pt
      const hLo = max(0, h0), hHi = min(h, h0 + wh)
      for (let ox = 0; ox < ow; ox++, yo += c) {
        const w0 = ox * sw - pl
        const wLo = max(0, w0), wHi = min(w, w0 + ww)
        const cnt = f64x2.splat(<f64>(max(0, hHi - hLo) * max(0, wHi - wLo)))
        const pg = gr + (<usize>yo << 2)
        for (let iy = hLo; iy < hHi; iy++) {
          for (let ix = wLo; ix < wHi; ix++) {
            const pa = acc + (<usize>(((b * h + iy) * w + ix) * c) << 3)
            let k = 0
            for (; k + 2 <= c; k += 2) {
              const d = pa + (<usize>k << 3)
              const v = f64x2.div(f64x2.promote_low_f32x4(v128.load64_zero(pg + (<usize>k << 2))), cnt)
              v128.store(d, f64x2.add(v128.load(d), v))
            }
            if (k < c) {
              const d = pa + (<usize>k << 3)
              store<f64>(d, load<f64>(d) + <f64>load<f32>(pg + (<usize>k << 2)) / f64x2.extract_lane(cnt, 0))
            }
          }
        }
      }
    }
  }
}
