import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { launchChromium, openConsole, saveScreenshot, signInAs } from '../support/browser.ts'
import { call, chatter, type Chatter } from '../support/e2e-chat.ts'
import { startServerProcess, type ServerProcess } from '../support/server-process.ts'
import { startUpstream, type Upstream } from '../support/upstream/server.ts'

const MARKDOWN = '# Plan\n\nUse **bold** and `inline`.\n\n```js\nconst answer = 42\n```\n\n<img src=x onerror="window.hacked=1"><script>window.hacked=2</script>'

/** Chat in a real Chromium: streamed Markdown replies from the test upstream, stop, regenerate, edit, errors. */
describe('console: chat', () => {
  let server: ServerProcess
  let upstream: Upstream
  let browser: Browser
  let who: Chatter
  let page: Page

  const assistant = () => page.getByRole('article', { name: 'Assistant' })
  const send = async (text: string) => {
    await page.getByLabel('Message').fill(text)
    await page.getByRole('button', { name: 'Send', exact: true }).click()
  }
  const messagesOf = async () => {
    const sessionId = new URL(page.url()).pathname.split('/').at(-1)
    return (await call(server.url, 'GET', `/api/sessions/${sessionId}/messages`, { token: who.token })).body.items as any[]
  }

  beforeAll(async () => {
    upstream = await startUpstream()
    server = await startServerProcess()
    who = await chatter(server.url, upstream.url, 'chatty')
    browser = await launchChromium()
    ;({ page } = await openConsole(browser, server.url))
    await signInAs(page, who.username, who.password)
  })
  afterAll(async () => {
    await browser?.close()
    // The last test kills the server itself.
    if (server?.child.exitCode === null && server.child.signalCode === null) await server.stop()
    await upstream?.close()
  })

  it('streams a reply as sanitized Markdown with highlighted code; the chat appears in the list', async () => {
    upstream.enqueue({ text: MARKDOWN, chunks: 6, delayMs: 250 })
    await page.getByRole('link', { name: 'Chat', exact: true }).click()
    await send('Make a plan')
    // While the reply streams: Stop is offered, and text arrives before the reply is done.
    await page.getByRole('button', { name: 'Stop' }).waitFor()
    await assistant().getByText('Plan').waitFor()
    await page.getByRole('button', { name: 'Send', exact: true }).waitFor()
    expect(await assistant().locator('h1').textContent()).toBe('Plan')
    expect(await assistant().locator('strong').textContent()).toBe('bold')
    expect(await assistant().locator('pre code .hljs-keyword').first().textContent()).toBe('const')
    expect(await assistant().locator('script, img[onerror]').count()).toBe(0)
    expect(await page.evaluate('window.hacked')).toBeUndefined()
    expect(await page.getByLabel('Message').inputValue()).toBe('')
    await page.getByRole('complementary', { name: 'Chats' }).getByRole('link', { name: /Make a plan/ }).waitFor()
    await saveScreenshot(page, 'chat')
  })

  it('stop ends the reply: the partial text is kept and marked stopped', async () => {
    upstream.enqueue({ text: 'word '.repeat(60), chunks: 60, delayMs: 150 })
    await send('Write a long answer')
    await page.getByRole('button', { name: 'Stop' }).waitFor()
    await assistant().last().getByText('word').waitFor()
    await page.getByRole('button', { name: 'Stop' }).click()
    await assistant().last().getByText('Stopped').waitFor()
    const last = (await messagesOf()).at(-1)
    expect(last.status).toBe('aborted')
    expect(last.content.length).toBeGreaterThan(0)
    expect(last.content.length).toBeLessThan('word '.repeat(60).length)
  })

  it('regenerate replaces the last reply; edit resends the last message with the new text', async () => {
    upstream.enqueue({ text: 'A second, regenerated answer.' })
    await assistant().last().getByRole('button', { name: 'Regenerate' }).click()
    await assistant().last().getByText('A second, regenerated answer.').waitFor()
    await page.getByRole('button', { name: 'Send', exact: true }).waitFor()
    expect(await assistant().count()).toBe(2) // one per user message

    upstream.enqueue({ echo: true })
    await page.getByRole('article', { name: 'You' }).last().getByRole('button', { name: 'Edit' }).click()
    await page.getByLabel('Edit message').fill('An edited question')
    await page.getByRole('button', { name: 'Save and resend' }).click()
    await assistant().last().getByText('An edited question').waitFor()
    await page.getByRole('button', { name: 'Send', exact: true }).waitFor()
    expect(await page.getByRole('article', { name: 'You' }).last().textContent()).toContain('An edited question')
    const stored = await messagesOf()
    expect(stored.filter((m) => m.role === 'user').map((m) => m.content)).toEqual(['Make a plan', 'An edited question'])
  })

  it('a provider failure mid-reply shows the error in the page', async () => {
    upstream.enqueue({ text: 'partial answer that breaks', chunks: 4, midStreamErrorAfter: 1, midStreamError: 'server' })
    await send('This one breaks')
    await page.getByRole('alert').waitFor()
    expect(await page.getByRole('alert').textContent()).toMatch(/model failed/i)
  })

  it('an API error or a network failure keeps the unsent message in the box', async () => {
    // A real refusal: the model was switched off after the page loaded.
    expect((await call(server.url, 'PATCH', `/api/models/${who.modelId}`, { token: who.token, body: { enabled: false } })).status).toBe(200)
    await send('Kept after an API error')
    await page.getByRole('alert').filter({ hasNotText: /model failed/i }).waitFor()
    expect(await page.getByLabel('Message').inputValue()).toBe('Kept after an API error')
    expect((await call(server.url, 'PATCH', `/api/models/${who.modelId}`, { token: who.token, body: { enabled: true } })).status).toBe(200)

    // The network is gone.
    await page.context().setOffline(true)
    await page.getByRole('button', { name: 'Send', exact: true }).click()
    await page.getByRole('alert').filter({ hasText: /cannot reach the server/i }).waitFor()
    expect(await page.getByLabel('Message').inputValue()).toBe('Kept after an API error')
    await page.context().setOffline(false)
    upstream.enqueue({ text: 'Back online.' })
    await page.getByRole('button', { name: 'Send', exact: true }).click()
    await assistant().last().getByText('Back online.').waitFor()
    expect(await page.getByLabel('Message').inputValue()).toBe('')
  })

  it('search filters the chat list', async () => {
    upstream.enqueue({ text: 'Sure.' })
    await page.getByRole('button', { name: 'New chat' }).click()
    await send('Bananas are yellow')
    await page.getByRole('button', { name: 'Send', exact: true }).waitFor()
    const list = page.getByRole('complementary', { name: 'Chats' })
    await list.getByRole('link', { name: /Bananas/ }).waitFor()
    await page.getByLabel('Search chats').fill('banana')
    await expect.poll(() => list.getByRole('link').count()).toBe(1)
    await page.getByLabel('Search chats').fill('')
    await expect.poll(() => list.getByRole('link').count()).toBeGreaterThan(1)
  })

  it('works on a phone-sized screen', async () => {
    const phone = await openConsole(browser, server.url, { width: 390, height: 844 })
    await signInAs(phone.page, who.username, who.password)
    await phone.page.goto('/chat')
    const box = await phone.page.getByLabel('Message').boundingBox()
    expect(box!.x + box!.width).toBeLessThanOrEqual(390)
    expect(box!.y + box!.height).toBeLessThanOrEqual(844)
    upstream.enqueue({ text: 'Small screens work.' })
    await phone.page.getByLabel('Message').fill('Hello from a phone')
    await phone.page.getByRole('button', { name: 'Send', exact: true }).click()
    await phone.page.getByRole('article', { name: 'Assistant' }).getByText('Small screens work.').waitFor()
    await phone.page.getByRole('button', { name: 'Chats' }).click()
    await phone.page.getByRole('complementary', { name: 'Chats' }).getByRole('link', { name: /Hello from a phone/ }).waitFor()
    await saveScreenshot(phone.page, 'chat-phone')
    expect(phone.problems).toEqual([])
    await phone.context.close()
  })

  // Last: it takes the server down.
  it('a connection that drops mid-reply says so in the page and keeps what arrived', async () => {
    upstream.enqueue({ text: 'piece '.repeat(40), chunks: 40, delayMs: 200 })
    await send('This reply will be cut')
    await assistant().last().getByText('piece').waitFor()
    await server.stop('SIGKILL')
    await expect.poll(() => page.getByRole('alert').textContent(), { timeout: 15_000 }).toMatch(/connection was lost/i)
    expect(await assistant().last().textContent()).toContain('piece')
  })
})
