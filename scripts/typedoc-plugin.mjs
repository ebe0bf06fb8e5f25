// puregrad's TypeDoc plugin (typedoc.json "plugin"). Two jobs:
//
// 1. Names each entry point's module by its package specifier ('puregrad', 'puregrad/layers',
//    ...), from package.json's exports map and tsup.config.ts's entries, instead of its path
//    ('src', 'src/layers', ...). Qualified names in typedoc.json (intentionallyNotDocumented,
//    intentionallyWithoutExample) use these names: 'puregrad/layers.dense'.
// 2. Requires an `@example` on every exported function and class (option
//    `requireExamplesFor`, reflection kinds), except the qualified names listed in
//    `intentionallyWithoutExample`. A missing example is a warning, and so is a listed name that
//    has an example or does not exist, so with treatWarningsAsErrors the list can only shrink.
//    test/docs/api-reference.test.ts type-checks and runs the ```ts blocks of the examples.
import { readFileSync } from 'node:fs'
import { join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Application, Converter, ParameterType, ReflectionKind } from 'typedoc'

/** Entry source file (relative to the repo, POSIX) -> package specifier. */
const entryModules = (root) => {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
  const tsup = readFileSync(join(root, 'tsup.config.ts'), 'utf8')
  const sources = Object.fromEntries([...tsup.matchAll(/^\s*'?([\w-]+)'?: '([^']+\.ts)',?$/gm)].map((m) => [m[1], m[2]]))
  const out = {}
  for (const [sub, target] of Object.entries(pkg.exports)) {
    const dist = JSON.stringify(target).match(/\.\/dist\/([\w-]+)\.js/)
    if (dist === null || sources[dist[1]] === undefined) continue
    out[sources[dist[1]]] = sub === '.' ? pkg.name : `${pkg.name}/${sub.slice(2)}`
  }
  return out
}

/** TypeDoc's default module name for an entry file: its path from the entries' common directory, without `/index.ts`. */
const defaultName = (file, base) => relative(base, file).replace(/\\/g, '/').replace(/(\/index)?\.[cm]?tsx?$/, '') || '.'

const commonDir = (files) => {
  const parts = files.map((f) => resolve(f).split(/[\\/]/).slice(0, -1))
  const first = parts[0] ?? []
  let n = 0
  while (n < first.length && parts.every((p) => p[n] === first[n])) n++
  return first.slice(0, n).join('/') || '/'
}

const hasExample = (refl) => {
  const comments = [refl.comment, ...(refl.signatures ?? []).map((s) => s.comment)]
  return comments.some((c) => c?.getTag('@example') !== undefined)
}

/** @param {Application} app */
export function load(app) {
  app.options.addDeclaration({
    name: 'requireExamplesFor',
    help: '[puregrad] Reflection kinds that must have an @example.',
    type: ParameterType.Array,
    defaultValue: ['Function', 'Class'],
  })
  app.options.addDeclaration({
    name: 'intentionallyWithoutExample',
    help: '[puregrad] Qualified names allowed to lack an @example (each must exist and lack one).',
    type: ParameterType.Array,
    defaultValue: [],
  })

  let names = {}
  app.converter.on(Converter.EVENT_BEGIN, () => {
    const root = fileURLToPath(new URL('..', import.meta.url))
    const entries = app.options.getValue('entryPoints').map((e) => resolve(root, e))
    const base = commonDir(entries)
    const bySource = entryModules(root)
    names = {}
    for (const file of entries) {
      const spec = bySource[relative(root, file).replace(/\\/g, '/')]
      if (spec !== undefined) names[defaultName(file, base)] = spec
    }
  })
  app.converter.on(Converter.EVENT_CREATE_DECLARATION, (_context, refl) => {
    if (refl.kindOf(ReflectionKind.Module) && names[refl.name] !== undefined) refl.name = names[refl.name]
  })

  app.on(Application.EVENT_VALIDATE_PROJECT, (project) => {
    const kinds = app.options.getValue('requireExamplesFor').map((k) => {
      const kind = ReflectionKind[k]
      if (typeof kind !== 'number') throw new Error(`requireExamplesFor: unknown reflection kind ${k}`)
      return kind
    })
    const allowed = new Set(app.options.getValue('intentionallyWithoutExample'))
    const used = new Set()
    const missing = []
    for (const kind of kinds) {
      for (const refl of project.getReflectionsByKind(kind)) {
        if (hasExample(refl)) continue
        const name = refl.getFullName()
        if (allowed.has(name)) used.add(name)
        else missing.push(name)
      }
    }
    for (const name of missing.sort()) app.logger.warn(`${name} has no @example (every exported function and class needs one)`)
    const unused = [...allowed].filter((n) => !used.has(n)).sort()
    if (unused.length > 0) {
      app.logger.warn(`intentionallyWithoutExample lists names that have an @example or do not exist; remove them:\n\t${unused.join('\n\t')}`)
    }
  })
}
