// Prints CI's closing line from vitest's JSON report: "N passed, N failed" (", N skipped" when any).
import { readFileSync } from 'node:fs'
const file = process.argv[2] ?? '.vitest-results.json'
let r
try {
  r = JSON.parse(readFileSync(file, 'utf8'))
} catch (e) {
  console.log(`no vitest report at ${file}: ${e.message}`)
  console.log('0 passed, 1 failed')
  process.exit(1)
}
const skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0)
const failedSuites = r.numFailedTestSuites ?? 0
const failed = (r.numFailedTests ?? 0) + (failedSuites > 0 && (r.numFailedTests ?? 0) === 0 ? failedSuites : 0)
console.log(`${r.numPassedTests} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`)
