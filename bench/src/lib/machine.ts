/**
 * What the figures were measured on: CPU model, cores, load average, memory, Node and the
 * versions of every library compared (read from the installed packages) and puregrad's commit.
 */

import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'

export interface Machine {
  readonly cpu: string
  readonly cores: number
  readonly load_avg: readonly number[]
  readonly mem_gb: number
  readonly platform: string
  readonly node: string
  readonly versions: Record<string, string>
  readonly puregrad_commit: string
}

const pkgVersion = (root: string, name: string): string => {
  try {
    return (JSON.parse(readFileSync(path.join(root, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version
  } catch {
    return 'not installed'
  }
}

const commit = (root: string): string => {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim()
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src'], { cwd: root, encoding: 'utf8' }).trim() !== ''
    return dirty ? `${head} (src modified)` : head
  } catch {
    return 'unknown'
  }
}

export const loadAvg = (): number[] => os.loadavg().map((x) => Math.round(x * 100) / 100)

export const machineInfo = (root: string): Machine => {
  const own = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string }
  return {
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cores: os.availableParallelism?.() ?? os.cpus().length,
    load_avg: loadAvg(),
    mem_gb: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    versions: {
      puregrad: own.version,
      '@tensorflow/tfjs': pkgVersion(root, '@tensorflow/tfjs'),
      '@tensorflow/tfjs-backend-wasm': pkgVersion(root, '@tensorflow/tfjs-backend-wasm'),
      '@tensorflow/tfjs-node': pkgVersion(root, '@tensorflow/tfjs-node'),
      '@jax-js/jax': pkgVersion(root, '@jax-js/jax'),
    },
    puregrad_commit: commit(root),
  }
}
