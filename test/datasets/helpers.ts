/**
 * Shared by the data-set tests: where the shared Fashion-MNIST files are (../shared/data relative
 * to the repository; tests that need them skip locally when they are absent, and under CI=true run
 * anyway, so a missing data set fails there), temporary directories, and
 * a backend that counts uploads, to prove that a rejected file built no tensor.
 */

import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import * as E from 'fp-ts/lib/Either.js'
import { expect } from 'vitest'
import { createJsBackend, registerBackend, withBackend, type Backend } from '../../src/index.js'
import type { DatasetError } from '../../src/datasets/index.js'

export const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)))
export const FASHION_DIR = resolve(ROOT, '../shared/data/fashion-mnist')
export const hasFashion = existsSync(join(FASHION_DIR, 't10k-labels-idx1-ubyte.gz'))
/** Skip the real-file tests: only locally, never under CI (where a missing data set must fail). */
export const skipFashion = !hasFashion && process.env.CI !== 'true'
if (skipFashion) console.warn(`skipping the Fashion-MNIST tests: no data set at ${FASHION_DIR}`)

export const tempDir = (prefix: string): { dir: string; cleanup: () => void } => {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) }
}

/** The Left of an Either (failing the test on a Right). */
export const leftOf = <A>(r: E.Either<DatasetError, A>): DatasetError => {
  if (E.isRight(r)) return expect.fail('expected a Left')
  return r.left
}

/** The Right of an Either (failing the test with the message of a Left). */
export const rightOf = <A>(r: E.Either<DatasetError, A>): A => {
  if (E.isLeft(r)) return expect.fail(r.left.message)
  return r.right
}

let counter = 0

/** Runs `f` on a fresh JS backend that counts uploads (tensors built from host data). */
export const countingUploads = <T>(f: () => T): { result: T; uploads: number } => {
  const base = createJsBackend({ name: `count-uploads-${counter++}` })
  let uploads = 0
  const b: Backend = { ...base, upload: (v, d) => { uploads++; return base.upload(v, d) } } as Backend
  registerBackend(b)
  const result = withBackend(b.name, f)
  return { result, uploads }
}
