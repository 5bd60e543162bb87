import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser } from 'playwright-core'
import { launchChromium, openConsole, saveScreenshot } from '../support/browser.ts'
import { callServer, startServerProcess, type ServerProcess } from '../support/server-process.ts'

/** Sign-in and the first-login password change in a real Chromium against a real server process. */
describe('console: sign in', () => {
  let server: ServerProcess
  let browser: Browser
  let oneTimePassword: string

  beforeAll(async () => {
    server = await startServerProcess({ ADMIN_USERNAME: 'admin' })
    oneTimePassword = /one-time password (\S+)/.exec(server.output())![1]!
    browser = await launchChromium()
  })
  afterAll(async () => {
    await browser?.close()
    await server?.stop()
  })

  it('wrong password: a clear message, and what was typed stays', async () => {
    const { page, context, problems } = await openConsole(browser, server.url)
    await page.getByLabel('Username').fill('admin')
    await page.getByLabel('Password').fill('not the password')
    await page.getByRole('button', { name: 'Sign in' }).click()
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/invalid username or password/i)
    expect(await page.getByLabel('Username').inputValue()).toBe('admin')
    await saveScreenshot(page, 'sign-in')
    expect(problems).toEqual([])
    await context.close()
  })

  it('first login forces a password change; the session survives a reload through the httpOnly cookie; sign out ends it', async () => {
    const { page, context, problems } = await openConsole(browser, server.url)
    await page.getByLabel('Username').fill('admin')
    await page.getByLabel('Password').fill(oneTimePassword)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.getByRole('heading', { name: 'Choose a new password' }).waitFor()
    await saveScreenshot(page, 'first-login-password')

    // A weak password is refused with the server's reason; the form keeps its values.
    await page.getByLabel('Current password').fill(oneTimePassword)
    await page.getByLabel('New password', { exact: true }).fill('password123')
    await page.getByLabel('Repeat the new password').fill('password123')
    await page.getByRole('button', { name: 'Change password' }).click()
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/newPassword/)
    expect(await page.getByLabel('Current password').inputValue()).toBe(oneTimePassword)

    await page.getByLabel('New password', { exact: true }).fill('a much better admin password')
    await page.getByLabel('Repeat the new password').fill('a much better admin password')
    await page.getByRole('button', { name: 'Change password' }).click()
    await page.getByRole('button', { name: 'Sign out' }).waitFor()

    // The refresh token is an httpOnly, SameSite=Strict cookie on the refresh route only.
    const cookies = await context.cookies()
    expect(cookies.map((c) => ({ name: c.name, httpOnly: c.httpOnly, sameSite: c.sameSite, path: c.path }))).toEqual([
      { name: 'chatbase_refresh', httpOnly: true, sameSite: 'Strict', path: '/api/auth/refresh' },
    ])
    // Page script sees no token anywhere (strings: the test's tsconfig has no DOM types).
    expect(await page.evaluate('document.cookie')).toBe('')
    expect(await page.evaluate('JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage })')).toBe('{}{}')

    await page.reload()
    await page.getByRole('button', { name: 'Sign out' }).waitFor()
    await page.getByRole('button', { name: 'Sign out' }).click()
    await page.getByRole('button', { name: 'Sign in' }).waitFor()
    await page.reload()
    await page.getByRole('button', { name: 'Sign in' }).waitFor()
    expect(problems).toEqual([])
    await context.close()
  })

  it('a login that ended elsewhere sends the page back to sign-in with a message', async () => {
    const password = 'expiring user password'
    expect((await callServer(server, 'POST', '/api/auth/register', { body: { username: 'expiring', password } })).status).toBe(201)
    const { page, context } = await openConsole(browser, server.url)
    await page.getByLabel('Username').fill('expiring')
    await page.getByLabel('Password').fill(password)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.getByRole('button', { name: 'Sign out' }).waitFor()

    // A password change elsewhere ends every other login: access token and refresh cookie both refused.
    const api = await callServer(server, 'POST', '/api/auth/login', { body: { username: 'expiring', password } })
    const changed = await callServer(server, 'POST', '/api/auth/password', { token: api.body.accessToken, body: { currentPassword: password, newPassword: 'expiring user password 2' } })
    expect(changed.status).toBe(200)

    await page.getByRole('link', { name: 'Password' }).click()
    await page.getByLabel('Current password').fill(password)
    await page.getByLabel('New password', { exact: true }).fill('expiring user password 3')
    await page.getByLabel('Repeat the new password').fill('expiring user password 3')
    await page.getByRole('button', { name: 'Change password' }).click()
    await page.getByRole('button', { name: 'Sign in' }).waitFor()
    expect(await page.getByRole('status').textContent()).toMatch(/session has expired/i)
    await context.close()
  })
})
