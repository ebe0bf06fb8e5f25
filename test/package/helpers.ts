/**
 * Building, packing and installing puregrad as its users get it. `buildAndPack` builds the
 * entries with tsup (the repo's tsup.config.ts) into a staging directory, copies in what
 * package.json's `files` names plus package.json itself, and runs `npm pack` there: the tarball is
 * what `npm publish` would upload, made without touching the repo's own dist/ (other work may be
 * using it). `installConsumer` makes a throwaway project that installs that tarball from the
 * registry's point of view: `npm install <tarball>`, dependencies resolved by npm.
 */

import { execFile } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { root } from '../helpers/doc-blocks.js'

export { root }

export interface Run { readonly code: number; readonly stdout: string; readonly stderr: string; readonly ms: number }

/**
 * The environment for child processes: the parent's, without what `npm test` adds about this
 * repo (so a child npm does not take /work/main for its project) and without NODE_OPTIONS (vitest's).
 */
export const childEnv = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => {
  const env: NodeJS.ProcessEnv = {}
  for (const [k, v] of Object.entries(process.env)) {
    if (/^npm_(package_|lifecycle_|config_local_prefix$|command$)/.test(k) || k === 'INIT_CWD' || k === 'NODE_OPTIONS') continue
    env[k] = v
  }
  return { ...env, ...extra }
}

/** Runs a command to completion; never throws (the caller asserts on `code` with the output). */
export const run = (cmd: string, args: readonly string[], opts: { cwd: string; timeout?: number; env?: Record<string, string> }): Promise<Run> => {
  const t0 = Date.now()
  return new Promise((done) => {
    execFile(cmd, args, { cwd: opts.cwd, timeout: opts.timeout ?? 120_000, maxBuffer: 64 << 20, env: childEnv(opts.env) }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : 1
      done({ code, stdout, stderr: err !== null && stderr === '' ? String(err) : stderr, ms: Date.now() - t0 })
    })
  })
}

/** Throws with the command's output unless it exited 0. */
export const runOk = async (cmd: string, args: readonly string[], opts: { cwd: string; timeout?: number; env?: Record<string, string> }): Promise<Run> => {
  const r = await run(cmd, args, opts)
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')} (in ${opts.cwd}) exited ${r.code}:\n${r.stderr}\n${r.stdout}`)
  return r
}

const bin = (name: string): string => join(root, 'node_modules', '.bin', name)

export interface PackageJson {
  readonly name: string
  readonly version: string
  readonly files?: readonly string[]
  readonly exports: Record<string, unknown>
  readonly [k: string]: unknown
}

export const packageJson = (): PackageJson => JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as PackageJson

/** Every subpath of the exports map as a specifier ('puregrad', 'puregrad/layers', ...), package.json excluded. */
export const subpathSpecifiers = (pkg: PackageJson = packageJson()): string[] =>
  Object.keys(pkg.exports).filter((s) => !s.endsWith('.json')).map((s) => (s === '.' ? pkg.name : `${pkg.name}/${s.slice(2)}`))

export interface Packed {
  readonly tarball: string
  /** Paths inside the package (package/ prefix removed), from `npm pack --json`. */
  readonly files: readonly string[]
  readonly size: number
  readonly unpackedSize: number
  readonly buildMs: number
}

/**
 * `npm run build` minus the wasm step (its output, kernels.generated.ts, is a committed source)
 * into `<work>/stage/dist`, then `npm pack` of the staged package into `work`.
 */
export const buildAndPack = async (work: string): Promise<Packed> => {
  const stage = join(work, 'stage')
  mkdirSync(stage, { recursive: true })
  const build = await runOk(bin('tsup'), ['--out-dir', join(stage, 'dist')], { cwd: root, timeout: 240_000 })
  // The rest of `npm run build` after tsup (the wasm kernels are generated sources, already in src/).
  await runOk('node', [join(root, 'scripts', 'dts-references.mjs'), join(stage, 'dist')], { cwd: root })
  const pkg = packageJson()
  for (const f of ['package.json', 'README.md', 'LICENSE', 'CHANGELOG.md', ...(pkg.files ?? [])]) {
    if (f === 'dist' || f.startsWith('dist/')) continue
    if (existsSync(join(root, f))) cpSync(join(root, f), join(stage, f), { recursive: true })
  }
  const r = await runOk('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], { cwd: stage })
  const info = (JSON.parse(r.stdout) as { filename: string; size: number; unpackedSize: number; files: { path: string }[] }[])[0]
  return {
    tarball: join(work, info.filename),
    files: info.files.map((f) => f.path),
    size: info.size,
    unpackedSize: info.unpackedSize,
    buildMs: build.ms,
  }
}

/**
 * A throwaway ESM project (`"type": "module"`) with the tarball installed, plus fast-check (the
 * law kit's optional peer), TypeScript and Node's types, as a TypeScript user on Node would have.
 */
export const installConsumer = async (dir: string, tarball: string): Promise<Run> => {
  mkdirSync(dir, { recursive: true })
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'puregrad-consumer', version: '0.0.0', private: true, type: 'module' }, null, 2))
  return runOk('npm', [
    'install', '--no-audit', '--no-fund', '--prefer-offline', '--no-package-lock', '--ignore-scripts',
    tarball, 'fast-check@^4', 'typescript@5.9.3', '@types/node@^20',
  ], { cwd: dir, timeout: 240_000 })
}

/** Writes files (relative path -> text) under `dir`. */
export const writeFiles = (dir: string, files: Record<string, string>): void => {
  for (const [name, text] of Object.entries(files)) {
    const path = join(dir, name)
    mkdirSync(join(path, '..'), { recursive: true })
    writeFileSync(path, text)
  }
}

export const CHROMIUM = process.env.PUREGRAD_CHROMIUM ?? '/usr/bin/chromium'
