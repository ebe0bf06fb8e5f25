/**
 * Per-op dispatch cost of reverse mode (the W3 workload): the gradient through a chain of
 * x = tanh(x * 1.01 + 0.1) on 16 float32 elements, 1,000 links (3,000 ops), reported as the
 * median microseconds per op over repeated runs, plus the same at 2x and 4x the length so a
 * quadratic tape would show as a growing figure. Run: npm run bench:dispatch
 */

import { add, grad, mul, sum, tanh, tensor, type Tensor } from '../src/index.js'

const chain = (links: number) => (x: Tensor): Tensor => {
  let y = x
  for (let i = 0; i < links; i++) y = tanh(add(mul(y, 1.01), 0.1))
  return sum(y)
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}

const x = tensor(new Float32Array(16).fill(0.1))
const usPerOp = (links: number, reps: number): { median: number; min: number } => {
  const g = grad(chain(links))
  g(x)
  const times: number[] = []
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now()
    g(x).dataSync()
    times.push(((performance.now() - t0) * 1000) / (3 * links))
  }
  return { median: median(times), min: Math.min(...times) }
}

const reps = Number(process.env.REPS ?? 15)
console.log('grad through x = tanh(x * 1.01 + 0.1), 16 float32 elements, js backend')
console.log('links  ops     median us/op  min us/op')
for (const links of [1000, 2000, 4000]) {
  const r = usPerOp(links, reps)
  console.log(`${String(links).padEnd(6)} ${String(3 * links).padEnd(7)} ${r.median.toFixed(2).padStart(12)} ${r.min.toFixed(2).padStart(10)}`)
}
console.log('reference on this machine kind (shared/notes/peers.md): tfjs-cpu ~28 us/op, tfjs-wasm ~46, jax-js eager ~2163')
