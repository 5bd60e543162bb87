import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { launchChromium, openConsole, saveScreenshot, signInAs } from '../support/browser.ts'
import { call, chatter, newSession, type Chatter } from '../support/e2e-chat.ts'
import { startServerProcess, type ServerProcess } from '../support/server-process.ts'
import { startUpstream, UPSTREAM_KEY, type Upstream } from '../support/upstream/server.ts'

/** Self-service in a real Chromium: personal models with test-connection, platform keys shown once, settings, usage. */
describe('console: self-service', () => {
  let server: ServerProcess
  let upstream: Upstream
  let browser: Browser
  let context: BrowserContext
  let page: Page
  let who: Chatter

  beforeAll(async () => {
    upstream = await startUpstream()
    server = await startServerProcess()
    who = await chatter(server.url, upstream.url, 'selfserve')
    // Some usage to show: one chat reply through the API.
    const sessionId = await newSession(server.url, who)
    expect((await call(server.url, 'POST', '/api/chat', { token: who.token, body: { sessionId, content: 'Count me' } })).status).toBe(200)
    browser = await launchChromium()
    ;({ page, context } = await openConsole(browser, server.url))
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url })
    await signInAs(page, who.username, who.password)
  })
  afterAll(async () => {
    await browser?.close()
    await server?.stop()
    await upstream?.close()
  })

  it('adds a personal model and tests its connection: OK with the right key, a clear failure with a wrong one', async () => {
    await page.getByRole('link', { name: 'My models' }).click()
    const form = page.getByRole('form', { name: 'Add a model' })
    for (const [name, key] of <[string, string][]>[
      ['Good upstream', UPSTREAM_KEY],
      ['Bad key upstream', 'sk-wrong-key-000000000000'],
    ]) {
      await form.getByLabel('Display name').fill(name)
      await form.getByLabel('Model id').fill('gpt-4o-mini')
      await form.getByLabel('Base URL').fill(`${upstream.url}/v1`)
      await form.getByLabel('API key').fill(key)
      await form.getByRole('button', { name: 'Add model' }).click()
      await page.getByRole('region', { name }).waitFor()
    }
    const good = page.getByRole('region', { name: 'Good upstream' })
    await good.getByRole('button', { name: 'Test connection' }).click()
    await expect.poll(() => good.getByRole('status').textContent()).toMatch(/Connection OK/)
    const bad = page.getByRole('region', { name: 'Bad key upstream' })
    await bad.getByRole('button', { name: 'Test connection' }).click()
    await expect.poll(() => bad.getByRole('status').textContent()).toMatch(/Failed: .*HTTP 401/)
    // Replacing the wrong key with the right one, typed into a password field, fixes the connection.
    await bad.getByRole('button', { name: 'Replace key' }).click()
    await bad.getByLabel('New provider API key (empty removes it)').fill(UPSTREAM_KEY)
    await bad.getByRole('button', { name: 'Save key' }).click()
    await page.getByText('The key of "Bad key upstream" was replaced.').waitFor()
    await bad.getByRole('button', { name: 'Test connection' }).click()
    await expect.poll(() => bad.getByRole('status').textContent()).toMatch(/Connection OK/)
    // The provider key is never shown back: only its last four characters.
    expect(await page.content()).not.toContain(UPSTREAM_KEY)
    await saveScreenshot(page, 'my-models')
  })

  it('creates a platform key: the secret is shown once with a copy button, works on /v1, and is gone after a reload', async () => {
    await page.getByRole('link', { name: 'Platform keys' }).click()
    await page.getByLabel('Name').fill('laptop')
    await page.getByRole('button', { name: 'Create key' }).click()
    const secret = (await page.getByTestId('new-secret').textContent())!
    expect(secret).toMatch(/^sk-[a-z0-9]+_/)
    await page.getByRole('button', { name: 'Copy' }).click()
    await page.getByRole('button', { name: 'Copied' }).waitFor()
    expect(await page.evaluate('navigator.clipboard.readText()')).toBe(secret)
    await saveScreenshot(page, 'platform-keys')

    const models = await fetch(`${server.url}/v1/models`, { headers: { authorization: `Bearer ${secret}` } })
    expect(models.status).toBe(200)

    await page.reload()
    await page.getByRole('cell', { name: 'laptop' }).waitFor()
    expect(await page.content()).not.toContain(secret)
    page.once('dialog', (d) => d.accept())
    await page.getByRole('button', { name: 'Revoke' }).click()
    await page.getByText('revoked').waitFor()
    expect((await fetch(`${server.url}/v1/models`, { headers: { authorization: `Bearer ${secret}` } })).status).toBe(401)
  })

  it('saves personal settings', async () => {
    await page.getByRole('link', { name: 'Settings' }).click()
    await page.getByLabel('Default model for new chats').selectOption({ label: 'Good upstream (personal)' })
    await page.getByLabel('Default system prompt').fill('Answer briefly.')
    await page.getByRole('button', { name: 'Save' }).click()
    await page.getByText('Settings saved.').waitFor()
    const settings = (await call(server.url, 'GET', '/api/settings', { token: who.token })).body
    expect(settings.personal.defaultSystemPrompt).toBe('Answer briefly.')
    expect(settings.personal.defaultModelId).toBeTruthy()
  })

  it('shows my own usage with a chart of tokens per day', async () => {
    await page.getByRole('link', { name: 'My usage' }).click()
    await page.getByRole('img', { name: 'Tokens per day' }).waitFor()
    const requests = page.locator('.stat', { hasText: 'Requests' }).locator('strong')
    expect(Number(await requests.textContent())).toBeGreaterThanOrEqual(1)
    // By model: one row for the model used, with its request.
    const row = page.locator('table tbody tr').first()
    await row.waitFor()
    expect(Number(await row.locator('td').nth(1).textContent())).toBeGreaterThanOrEqual(1)
    await saveScreenshot(page, 'my-usage')
  })

  it('a wrong current password on the password page is a clear message', async () => {
    await page.getByRole('link', { name: 'Password' }).click()
    await page.getByLabel('Current password').fill('not my password at all')
    await page.getByLabel('New password', { exact: true }).fill('a brand new password')
    await page.getByLabel('Repeat the new password').fill('a brand new password')
    await page.getByRole('button', { name: 'Change password' }).click()
    await page.getByRole('alert').waitFor()
    expect(await page.getByRole('alert').textContent()).toMatch(/password/i)
    await page.getByRole('button', { name: 'Sign out' }).waitFor()
  })
})
