/**
 * docs/errors.md against the code: the table documents exactly the codes of ERROR_CODES, and each
 * row's example message is what puregrad really throws. Every example is triggered here and its
 * message compared in full (an example ending in "..." up to there). The examples that only the
 * WebGPU backend throws run on it: skipped without a driver locally, failing under CI=true, as the
 * rest of test/backends/webgpu.
 */

import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import {
  add, ERROR_CODES, gather, grad, log, matmul, mul, registerBackend, setBackend,
  setDebugNans, slice, sum, tensor, treeZipWith, withBackend, zeros, type ErrorCode, type Tensor,
} from '../../src/index.js'
import { createWasmBackend } from '../../src/backends/wasm/index.js'
import { requireBackend, setupWebGPU, type GpuSetup } from '../backends/webgpu/device.js'
import type { WebGPUBackend } from '../../src/backends/webgpu/index.js'
import { thrownError } from '../helpers/allclose.js'

const doc = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8')
const rows = new Map([...doc.matchAll(/^\| `([A-Z_]+)` \| .* \| `(.*)` \|$/gm)].map((m) => [m[1], m[2]]))

const expectDocumented = (code: ErrorCode, f: () => unknown): void => {
  const example = rows.get(code)
  expect(example, `docs/errors.md has an example for ${code}`).toBeDefined()
  const e = thrownError(f)
  expect(e.code).toBe(code)
  if (example?.endsWith(' ...')) expect(e.message.startsWith(example.slice(0, -4)), `${e.message}\nstarts with\n${example}`).toBe(true)
  else expect(e.message).toBe(example)
}

let wasmRegistered = false
/** Registers a single-threaded wasm backend once (the webgpu one is registered only by its own tests, later). */
const withWasm = (): void => {
  if (!wasmRegistered) registerBackend(createWasmBackend({ threads: 1 }))
  wasmRegistered = true
}

const cpuTriggers: Partial<Record<ErrorCode, () => unknown>> = {
  SHAPE_MISMATCH: () => grad((p: { x: Tensor; w: Tensor }) => sum(matmul(p.x, p.w)))({ x: zeros([3, 2]), w: zeros([3, 2]) }),
  BROADCAST: () => add(zeros([2, 3]), zeros([4])),
  DTYPE_MISMATCH: () => add(zeros([2]), zeros([2], { dtype: 'float64' })),
  INVALID_ARGUMENT: () => slice(zeros([3]), [2], [3]),
  INVALID_AXIS: () => sum(zeros([2, 2]), { axis: 2 }),
  RAGGED: () => tensor([[1, 2], [1, 2, 3]]),
  INDEX_OUT_OF_RANGE: () => gather(zeros([5]), tensor([7], { dtype: 'int32' })),
  NON_SCALAR_OUTPUT: () => grad((x: Tensor) => x)(zeros([3])),
  NON_DIFFERENTIABLE: () => grad((p: { w: Tensor; steps: Tensor }) => sum(p.w))({ w: zeros([2]), steps: tensor([3], { dtype: 'int32' }) }),
  TREE_MISMATCH: () => treeZipWith(
    { layers: [{ w: zeros([1]) }, { w: zeros([1]), b: zeros([1]) }] }, { layers: [{ w: zeros([1]) }, { w: zeros([1]) }] }, (a: Tensor) => a,
  ),
  ESCAPED_TRACER: () => {
    let leaked: Tensor | undefined
    grad((x: Tensor) => { leaked = x; return sum(x) })(zeros([2]))
    return mul(leaked as Tensor, 2)
  },
  BACKEND_MISMATCH: () => {
    withWasm()
    return add(withBackend('js', () => zeros([2])), withBackend('wasm', () => zeros([2])))
  },
  BACKEND_UNAVAILABLE: () => {
    withWasm()
    return setBackend('gpu')
  },
  NON_FINITE: () => {
    setDebugNans(true)
    try {
      return log(tensor([-1, 1]))
    } finally {
      setDebugNans(false)
    }
  },
  OUT_OF_MEMORY: () => zeros([2 ** 20, 2 ** 20]),
}

/** Thrown only by the webgpu backend; BACKEND_LOST last, since it destroys the device. */
const gpuTriggers: Partial<Record<ErrorCode, (backend: WebGPUBackend) => unknown>> = {
  UNSUPPORTED_DTYPE: () => withBackend('webgpu', () => tensor([1, 2], { dtype: 'float64' })),
  SYNC_READ_UNAVAILABLE: () => withBackend('webgpu', () => tensor([1, 2])).dataSync(),
  BACKEND_LOST: (backend) => {
    const x = withBackend('webgpu', () => tensor([1, 2]))
    backend.destroy()
    return withBackend('webgpu', () => add(x, x))
  },
}

/** The webgpu backend, set up on first use so that the CPU examples see only js and wasm registered. */
let gpu: Promise<GpuSetup> | undefined

describe('docs/errors.md', () => {
  it('documents exactly the codes in ERROR_CODES', () => {
    const documented = [...doc.matchAll(/^\| `([A-Z_]+)` \|/gm)].map((m) => m[1]).sort()
    expect(documented).toEqual(Object.keys(ERROR_CODES).sort())
  })

  it('every code has exactly one trigger here (on the CPU or on WebGPU)', () => {
    expect([...Object.keys(cpuTriggers), ...Object.keys(gpuTriggers)].sort()).toEqual(Object.keys(ERROR_CODES).sort())
  })

  for (const [code, f] of Object.entries(cpuTriggers)) {
    it(`the ${code} example is the message really thrown`, () => expectDocumented(code as ErrorCode, f))
  }

  describe('examples thrown by the webgpu backend (skipped without a driver, except under CI=true)', () => {
    for (const [code, f] of Object.entries(gpuTriggers)) {
      it(`the ${code} example is the message really thrown`, async (ctx) => {
        const setup = await (gpu ??= setupWebGPU())
        if (setup.skip !== undefined) ctx.skip()
        const backend = requireBackend(setup)
        expectDocumented(code as ErrorCode, () => f(backend))
      })
    }
  })
})
