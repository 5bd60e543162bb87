import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser } from 'playwright-core'
import { launchChromium, openConsole, signInAs } from '../support/browser.ts'
import { call, chatter, type Chatter } from '../support/e2e-chat.ts'
import { startServerProcess, type ServerProcess } from '../support/server-process.ts'
import { startUpstream, type Upstream } from '../support/upstream/server.ts'

/** Resumable replies in a real Chromium: a reload mid-reply picks the reply up and it finishes. */
describe('console: a reply keeps going after a reload', () => {
  let server: ServerProcess
  let upstream: Upstream
  let browser: Browser
  let who: Chatter

  beforeAll(async () => {
    upstream = await startUpstream()
    server = await startServerProcess()
    who = await chatter(server.url, upstream.url, 'reloader')
    browser = await launchChromium()
  })
  afterAll(async () => {
    await browser?.close()
    await server?.stop()
    await upstream?.close()
  })

  it('reloading the page while a reply streams shows the whole reply, complete, once', async () => {
    const words = Array.from({ length: 30 }, (_, i) => `w${i}`)
    upstream.enqueue({ text: words.join(' '), chunks: 30, delayMs: 150 })
    const { page } = await openConsole(browser, server.url)
    await signInAs(page, who.username, who.password)
    await page.getByLabel('Message').fill('Count to thirty')
    await page.getByRole('button', { name: 'Send', exact: true }).click()
    const assistant = page.getByRole('article', { name: 'Assistant' })
    await assistant.getByText('w2', { exact: false }).waitFor()
    await page.reload()
    // Back in the same chat: the reply goes on while we watch, then ends complete.
    await page.getByRole('button', { name: 'Stop' }).waitFor()
    await page.getByRole('button', { name: 'Send', exact: true }).waitFor({ timeout: 20_000 })
    expect((await assistant.locator('.markdown').textContent())!.trim()).toBe(words.join(' '))
    const sessionId = new URL(page.url()).pathname.split('/').at(-1)
    const stored = (await call(server.url, 'GET', `/api/sessions/${sessionId}/messages`, { token: who.token })).body.items.at(-1)
    expect(stored).toMatchObject({ status: 'complete', content: words.join(' ') })
  })
})
