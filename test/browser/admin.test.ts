import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { launchChromium, openConsole, saveScreenshot, signInAs } from '../support/browser.ts'
import { call, chatter, newSession } from '../support/e2e-chat.ts'
import { startOAuthServer, type OAuthServer } from '../support/oauth-server.ts'
import { startServerProcess, type ServerProcess } from '../support/server-process.ts'
import { startUpstream, UPSTREAM_KEY, type Upstream } from '../support/upstream/server.ts'

const ADMIN_PASSWORD = 'admin console password'

/** Administration in a real Chromium: users, limits, system models and pools, accounts with the OAuth paste-back, settings, audit, usage. */
describe('console: admin', () => {
  let server: ServerProcess
  let upstream: Upstream
  let oauth: OAuthServer
  let browser: Browser
  let page: Page
  let admin: string

  const adminApi = (method: string, path: string, body?: unknown) => call(server.url, method, path, { token: admin, body })
  const nav = (name: string) => page.getByRole('navigation').getByRole('link', { name, exact: true }).click()

  beforeAll(async () => {
    oauth = await startOAuthServer()
    upstream = await startUpstream({ acceptsAccessToken: (token) => oauth.isValidAccessToken(token) })
    server = await startServerProcess({
      ADMIN_PASSWORD,
      ANTHROPIC_OAUTH_AUTHORIZE_URL: oauth.authorizeUrl,
      ANTHROPIC_OAUTH_TOKEN_URL: oauth.tokenUrl,
      // Where the provider sends the browser after sign-in; the person copies that address back.
      ANTHROPIC_OAUTH_REDIRECT_URI: `${oauth.url}/signed-in`,
      OAUTH_SWEEP_INTERVAL_S: '0',
    })
    admin = (await call(server.url, 'POST', '/api/auth/login', { body: { username: 'admin', password: ADMIN_PASSWORD } })).body.accessToken
    // Usage to chart: two users chatting.
    for (const name of ['alice', 'bob']) {
      const who = await chatter(server.url, upstream.url, name)
      const sessionId = await newSession(server.url, who)
      expect((await call(server.url, 'POST', '/api/chat', { token: who.token, body: { sessionId, content: `hello from ${name}` } })).status).toBe(200)
    }
    browser = await launchChromium()
    ;({ page } = await openConsole(browser, server.url))
    await signInAs(page, 'admin', ADMIN_PASSWORD)
  })
  afterAll(async () => {
    await browser?.close()
    await server?.stop()
    await Promise.all([upstream?.close(), oauth?.close()])
  })

  it('creates a user, changes the role, disables them, and sets their limits', async () => {
    await nav('Users and limits')
    const form = page.getByRole('form', { name: 'New user' })
    await form.getByLabel('Username').fill('carol')
    await form.getByLabel('Initial password').fill('carol initial password')
    await form.getByRole('button', { name: 'Create user' }).click()
    await page.getByText('User "carol" created').waitFor()
    const row = page.getByRole('row', { name: 'carol' })
    await row.getByText('must change password').waitFor()

    await row.getByLabel('Role of carol').selectOption('ADMIN')
    await expect.poll(async () => (await adminApi('GET', '/api/users?search=carol')).body.items[0].role).toBe('ADMIN')
    await row.getByRole('button', { name: 'Disable' }).click()
    await row.getByText('disabled').waitFor()
    expect((await call(server.url, 'POST', '/api/auth/login', { body: { username: 'carol', password: 'carol initial password' } })).status).toBe(401)

    await row.getByRole('button', { name: 'Limits' }).click()
    const limits = page.getByRole('form', { name: 'Limits of carol' })
    await limits.getByLabel('Tokens per day').fill('5000')
    await limits.getByLabel('Requests per minute').fill('none')
    await limits.getByRole('button', { name: 'Save limits' }).click()
    await limits.getByText('Limits saved.').waitFor()
    const carolId = (await adminApi('GET', '/api/users?search=carol')).body.items[0].id
    expect((await adminApi('GET', `/api/admin/users/${carolId}/limits`)).body.limits).toMatchObject({ tokensPerDay: 5000, requestsPerMinute: null })
    await saveScreenshot(page, 'admin-users')

    // A password reset: a one-time password typed into a password field; bob must change it at next sign-in.
    await page.getByRole('row', { name: 'bob' }).getByRole('button', { name: 'Reset password' }).click()
    await page.getByLabel('One-time password for bob').fill('bob one-time password')
    await page.getByRole('button', { name: 'Reset password', exact: true }).last().click()
    await page.getByText('Password of "bob" reset').waitFor()
    const bob = await call(server.url, 'POST', '/api/auth/login', { body: { username: 'bob', password: 'bob one-time password' } })
    expect(bob.status).toBe(200)
    expect(bob.body.user.mustChangePassword).toBe(true)
  })

  it('adds an API-key upstream account, tests it, and puts it in a new system model\'s pool', async () => {
    await nav('Upstream accounts')
    const form = page.getByRole('form', { name: 'Add an API-key account' })
    await form.getByLabel('Name').fill('team key')
    await form.getByLabel('API key').fill(UPSTREAM_KEY)
    await form.getByLabel('Base URL (optional)').fill(`${upstream.url}/v1`)
    await form.getByRole('button', { name: 'Add account' }).click()
    const row = page.getByRole('row', { name: 'team key' })
    await row.getByText('active').waitFor()
    await row.getByRole('button', { name: 'Test' }).click()
    await expect.poll(() => row.getByRole('status').textContent()).toMatch(/Upstream: OK/)
    expect(await page.content()).not.toContain(UPSTREAM_KEY)

    await nav('System models')
    const add = page.getByRole('form', { name: 'Add a model' })
    await add.getByLabel('Display name').fill('Team GPT')
    await add.getByLabel('Model id').fill('gpt-4o-mini')
    await add.getByLabel('Base URL').fill(`${upstream.url}/v1`)
    await add.getByRole('button', { name: 'Add model' }).click()
    const card = page.getByRole('region', { name: 'Team GPT' })
    await card.getByText('Account pool (0)').click()
    // A controlled checkbox: it shows checked once the pool was saved.
    await card.getByLabel('team key').click()
    await card.getByText('Account pool (1)').waitFor()
    const model = (await adminApi('GET', '/api/models')).body.items.find((m: any) => m.displayName === 'Team GPT')
    const account = (await adminApi('GET', '/api/admin/accounts')).body.items.find((a: any) => a.name === 'team key')
    expect(account.models).toEqual([model.id])
    await card.getByRole('button', { name: 'Test connection' }).click()
    await expect.poll(() => card.getByRole('status').textContent()).toMatch(/Connection OK/)
    await saveScreenshot(page, 'admin-models')
  })

  it('signs in an Anthropic account with OAuth: authorize, sign in at the provider, paste the address back', async () => {
    await nav('Upstream accounts')
    const section = page.getByRole('region', { name: 'Sign in with OAuth' })
    await section.getByLabel('Name (optional)').fill('claude team')
    await section.getByRole('button', { name: 'Start sign-in' }).click()
    // The test authorization server signs in at once and sends the browser (a new tab) to the redirect
    // URI; the address that tab shows is what the person pastes back.
    const [redirect, popup] = await Promise.all([
      page.context().waitForEvent('request', (r) => r.url().includes('/signed-in?')),
      page.waitForEvent('popup'),
      section.getByRole('link', { name: "Open the provider's sign-in page" }).click(),
    ])
    const callbackUrl = redirect.url()
    expect(callbackUrl).toMatch(/code=/)
    await popup.close()

    // A wrong paste first (the address of another sign-in): a clear message, the box keeps it, the flow stays usable.
    const stale = `${oauth.url}/signed-in?code=old-code&state=another-flow`
    await section.getByLabel('Code or callback URL').fill(stale)
    await section.getByRole('button', { name: 'Finish sign-in' }).click()
    await page.getByRole('alert').waitFor()
    expect(await page.getByRole('alert').textContent()).toMatch(/state/i)
    expect(await section.getByLabel('Code or callback URL').inputValue()).toBe(stale)

    await section.getByLabel('Code or callback URL').fill(callbackUrl)
    await section.getByRole('button', { name: 'Finish sign-in' }).click()
    await page.getByText('Signed in: account "claude team" added.').waitFor()
    const row = page.getByRole('row', { name: 'claude team' })
    await row.getByText('OAuth').waitFor()
    await row.getByText('active').waitFor()
    expect(oauth.calls.authorization_code).toBeGreaterThanOrEqual(1)
    const html = await page.content()
    for (const secret of oauth.issuedSecrets()) expect(html).not.toContain(secret)
    await saveScreenshot(page, 'admin-accounts')
  })

  it('changes system settings and the default quota', async () => {
    await nav('Settings and quotas')
    await page.getByLabel('Registration').selectOption('closed')
    await page.getByLabel('Longest message (characters)').fill('12345')
    await page.getByLabel('Concurrent streams').fill('3')
    await page.getByRole('button', { name: 'Save settings' }).click()
    await page.getByText('Settings saved.').waitFor()
    const system = (await adminApi('GET', '/api/settings')).body.system
    expect(system).toMatchObject({ registration: 'closed', maxMessageChars: 12345, defaultUserQuota: { concurrentStreams: 3 } })
    await saveScreenshot(page, 'admin-settings')
  })

  it('shows the audit log, filtered by action', async () => {
    await nav('Audit log')
    await page.getByLabel('Action').fill('user.created')
    await page.getByRole('button', { name: 'Filter' }).click()
    await expect.poll(() => page.locator('tbody tr').count()).toBe(1)
    expect(await page.locator('tbody tr').first().textContent()).toContain('user.created')
    await page.getByLabel('Action').fill('')
    await page.getByRole('button', { name: 'Filter' }).click()
    await page.getByText('accounts.oauth_authorized').first().waitFor()
    await saveScreenshot(page, 'admin-audit')
  })

  it('charts usage over time and by user, model and key', async () => {
    await nav('Usage')
    await page.getByRole('img', { name: 'Tokens per day' }).waitFor()
    await page.getByRole('img', { name: 'Tokens by user' }).waitFor()
    await page.getByRole('cell', { name: 'alice' }).waitFor()
    await page.getByRole('cell', { name: 'bob' }).waitFor()
    expect(Number(await page.locator('.stat', { hasText: 'Requests' }).locator('strong').textContent())).toBeGreaterThanOrEqual(2)
    await saveScreenshot(page, 'admin-usage')
    await page.getByLabel('Group by').selectOption('model')
    await page.getByRole('img', { name: 'Tokens by model' }).waitFor()
    await page.getByLabel('Group by').selectOption('key')
    await page.getByRole('img', { name: 'Tokens by platform key' }).waitFor()
  })
})
