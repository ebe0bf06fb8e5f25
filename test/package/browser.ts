/**
 * A page in headless Chromium (Debian's, driven by playwright-core; no browser download), served
 * from a directory by a throwaway HTTP server on 127.0.0.1.
 */

import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { extname, join, normalize } from 'node:path'
import { chromium } from 'playwright-core'
import { CHROMIUM } from './helpers.js'

/** Why the browser test cannot run here, or null when it can. */
export const chromiumMissing = (): string | null =>
  existsSync(CHROMIUM) ? null : `no Chromium at ${CHROMIUM} (install it with scripts/setup-chromium.sh, or set PUREGRAD_CHROMIUM)`

const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.map': 'application/json' }

const serve = (dir: string): Promise<Server> => new Promise((ready) => {
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname
    const file = normalize(join(dir, path === '/' ? 'index.html' : path))
    if (!file.startsWith(dir) || !existsSync(file)) { res.writeHead(404).end(); return }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file))
  })
  server.listen(0, '127.0.0.1', () => ready(server))
})

export interface PageRun { readonly text: string; readonly console: readonly string[]; readonly ms: number }

/**
 * Opens dir/index.html in a fresh profile and waits for `#result[data-done]` (the page's own
 * signal that it finished), returning its text and the console. `flags` are added to Chromium's
 * command line (e.g. --enable-unsafe-webgpu). The server and browser are closed and the profile
 * removed whatever happens.
 */
export const runPage = async (dir: string, timeout = 90_000, flags: readonly string[] = []): Promise<PageRun> => {
  const t0 = Date.now()
  const server = await serve(dir)
  const profile = mkdtempSync(join(tmpdir(), 'puregrad-chromium-'))
  const logs: string[] = []
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', ...flags],
    timeout: 60_000,
  })
  try {
    const page = context.pages()[0] ?? (await context.newPage())
    page.on('console', (m) => logs.push(`${m.type()}: ${m.text()}`))
    page.on('pageerror', (e) => logs.push(`pageerror: ${e.message}`))
    await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`, { timeout })
    await page.waitForSelector('#result[data-done]', { timeout, state: 'attached' })
    return { text: (await page.textContent('#result')) ?? '', console: logs, ms: Date.now() - t0 }
  } finally {
    await context.close()
    await new Promise((done) => server.close(done))
    rmSync(profile, { recursive: true, force: true })
  }
}
