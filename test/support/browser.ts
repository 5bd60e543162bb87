// A real Chromium for the console's tests: playwright-core drives the distribution's package
// (/usr/bin/chromium; .ci/run installs it when missing), since browsers cannot be downloaded here.
import { existsSync, mkdirSync } from 'node:fs'
import path from 'node:path'
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core'

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) throw new Error(`No Chromium at ${CHROMIUM_PATH}: apt-get install -y chromium (or set CHROMIUM_PATH)`)
  // Root in CI: Chromium's sandbox needs user namespaces we do not have.
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'] })
}

export interface ConsolePage {
  context: BrowserContext
  page: Page
  /** Console errors and CSP violations seen so far (a strict CSP must not break the page). */
  problems: string[]
}

export async function openConsole(browser: Browser, baseUrl: string, viewport = { width: 1280, height: 800 }): Promise<ConsolePage> {
  const context = await browser.newContext({ baseURL: baseUrl, viewport })
  // Shorter than the test timeout, so a missing element fails with its locator named.
  context.setDefaultTimeout(10_000)
  const page = await context.newPage()
  const problems: string[] = []
  page.on('console', (msg) => {
    if (msg.type() === 'error' && !/Failed to load resource/.test(msg.text())) problems.push(msg.text())
  })
  page.on('pageerror', (err) => problems.push(String(err)))
  await page.goto('/')
  return { context, page, problems }
}

export async function signInAs(page: Page, username: string, password: string): Promise<void> {
  await page.getByLabel('Username').fill(username)
  await page.getByLabel('Password').fill(password)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.getByRole('button', { name: 'Sign out' }).waitFor()
}

/**
 * Screenshots for docs/: written only when CONSOLE_SCREENSHOTS names a folder
 * (`CONSOLE_SCREENSHOTS=docs/screenshots npx vitest run test/browser`), so test runs leave the tree alone.
 */
export async function saveScreenshot(page: Page, name: string): Promise<void> {
  const dir = process.env.CONSOLE_SCREENSHOTS
  if (!dir) return
  mkdirSync(dir, { recursive: true })
  await page.screenshot({ path: path.join(dir, `${name}.png`) })
}
