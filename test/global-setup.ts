import { execFileSync } from 'node:child_process'

/**
 * Tests that start the real server run what `npm start` runs: dist/ built from the sources. It is
 * built here once, before any test file, so that parallel test files never build it at the same time.
 */
export default function buildOnce(): void {
  execFileSync(process.execPath, ['scripts/build.mjs', '--if-stale'], { stdio: 'inherit' })
}
