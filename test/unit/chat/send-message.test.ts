import { describe, expect, it } from 'vitest'
import { InProcessReplyControl } from '../../../src/features/chat/adapters/in-process-reply-control.ts'
import { TiktokenTokenCounter } from '../../../src/features/chat/adapters/tiktoken-token-counter.ts'
import { TruncateContext } from '../../../src/features/chat/build-prompt.use-case.ts'
import type { ChatEvent } from '../../../src/features/chat/chat-events.ts'
import { ReplyStarter } from '../../../src/features/chat/reply-starter.ts'
import { ReplyStreamer } from '../../../src/features/chat/reply-streamer.ts'
import { SendMessage } from '../../../src/features/chat/send-message.use-case.ts'
import { InMemoryChatSessionRepository } from '../../../src/features/chat/testing/in-memory-chat-session.repository.ts'
import { InMemoryMessageRepository } from '../../../src/features/chat/testing/in-memory-message.repository.ts'
import type { ModelAccess } from '../../../src/features/models/model-access.port.ts'
import type { ModelConfig } from '../../../src/features/models/model-config.ts'
import { ProviderError, type AiProvider, type CompletionRequest, type ProviderEvent } from '../../../src/features/providers/ai-provider.port.ts'
import type { SystemSettingsReader } from '../../../src/features/settings/system-settings-reader.port.ts'
import type { UsageGate } from '../../../src/features/usage/usage-gate.port.ts'
import type { UsageEntry, UsageRecorder } from '../../../src/features/usage/usage-recorder.port.ts'
import type { Actor } from '../../../src/shared/actor.ts'
import { AppError } from '../../../src/shared/errors.ts'
import { createLogger } from '../../../src/shared/logger.ts'
import { noMetrics } from '../../../src/shared/metrics.port.ts'
import { ManualClock, SequentialIds } from '../../../src/shared/testing/fakes.ts'

type Step = ProviderEvent | { type: 'throw'; error: Error } | { type: 'wait'; ms: number }

const actor: Actor = { userId: 'u1', username: 'alice', role: 'USER' }
const config = { id: 'm1', providerKind: 'openai', modelId: 'gpt-4o', baseUrl: 'http://upstream', contextWindow: 8000, maxOutputTokens: 500, defaultParams: {} } as unknown as ModelConfig
const unavailable = () => new ProviderError('PROVIDER_UNAVAILABLE', { provider: 'openai', status: 503, retryable: true, providerMessage: 'overloaded' })

function setup(script: Step[], options: { gate?: UsageGate } = {}) {
  const clock = new ManualClock()
  const ids = new SequentialIds()
  const messages = new InMemoryMessageRepository(() => clock.now())
  const sessions = new InMemoryChatSessionRepository(() => clock.now(), messages)
  const requests: CompletionRequest[] = []
  const provider: AiProvider = {
    async *stream(request) {
      requests.push(request)
      for (const step of script) {
        if (request.signal?.aborted) throw request.signal.reason
        if (step.type === 'throw') throw step.error
        if (step.type === 'wait') await new Promise((r) => setTimeout(r, step.ms))
        else yield step
      }
    },
  }
  const models: ModelAccess = { resolveForUse: async () => ({ config, apiKey: 'sk-secret' }), listUsable: async () => [config] }
  const settings = { all: async () => ({ maxMessageChars: 1000, defaultContextBudget: null }) } as unknown as SystemSettingsReader
  const settled: { inputTokens: number; outputTokens: number }[] = []
  const gate: UsageGate = options.gate ?? { admit: async () => ({ settle: async (u) => void settled.push(u) }) }
  const recorded: UsageEntry[] = []
  const recorder: UsageRecorder = { record: (e) => void recorded.push(e), flush: async () => {} }
  const control = new InProcessReplyControl()
  const tokens = new TiktokenTokenCounter()
  const streamer = new ReplyStreamer(provider, messages, control, tokens, recorder, createLogger('silent'), noMetrics, { now: () => new Date() })
  const starter = new ReplyStarter(models, new TruncateContext(messages, tokens), gate, messages, sessions, tokens, settings, streamer, ids, clock, noMetrics)
  return { messages, sessions, requests, settled, recorded, control, send: new SendMessage(sessions, starter) }
}

async function drain(events: AsyncIterable<ChatEvent>, onEvent?: (e: ChatEvent) => void | Promise<void>) {
  const seen: ChatEvent[] = []
  for await (const event of events) {
    seen.push(event)
    await onEvent?.(event)
  }
  return seen
}

async function newSession(s: ReturnType<typeof setup>) {
  return s.sessions.create({ id: 's1', ownerId: 'u1', modelConfigId: 'm1', title: 'New chat', systemPrompt: 'Be brief.' })
}

describe('SendMessage', () => {
  it('stores the user message, streams the reply and finalizes it with the provider usage', async () => {
    const s = setup([{ type: 'delta', text: 'Hel' }, { type: 'delta', text: 'lo' }, { type: 'usage', usage: { inputTokens: 42, outputTokens: 2 } }, { type: 'finish', reason: 'stop', rawReason: 'stop' }])
    await newSession(s)
    const reply = await s.send.execute({ actor, sessionId: 's1', content: 'Greetings, model' })
    expect(reply.userMessage).toMatchObject({ role: 'user', content: 'Greetings, model', status: 'complete' })
    expect((await s.messages.findById(reply.assistantMessage.id))?.status).toBe('streaming')
    const events = await drain(reply.events)
    expect(events.map((e) => e.type)).toEqual(['delta', 'delta', 'usage', 'done'])
    expect(await s.messages.findById(reply.assistantMessage.id)).toMatchObject({
      status: 'complete',
      content: 'Hello',
      finishReason: 'stop',
      usage: { inputTokens: 42, outputTokens: 2, estimated: false },
    })
    expect(s.requests[0]).toMatchObject({ system: 'Be brief.', apiKey: 'sk-secret', messages: [{ role: 'user', content: 'Greetings, model' }] })
    expect(s.settled).toEqual([{ inputTokens: 42, outputTokens: 2 }])
    expect(s.recorded[0]).toMatchObject({ userId: 'u1', source: 'chat', status: 'complete', inputTokens: 42 })
    expect((await s.sessions.findOwned('s1', 'u1'))?.title).toBe('Greetings, model')
  })

  it('finalizes as error, keeping the partial text, when the provider fails mid-stream', async () => {
    const s = setup([{ type: 'delta', text: 'partial ' }, { type: 'throw', error: unavailable() }])
    await newSession(s)
    const reply = await s.send.execute({ actor, sessionId: 's1', content: 'hi' })
    const events = await drain(reply.events)
    expect(events.map((e) => e.type)).toEqual(['delta', 'error', 'done'])
    expect(await s.messages.findById(reply.assistantMessage.id)).toMatchObject({
      status: 'error',
      content: 'partial ',
      errorCode: 'PROVIDER_UNAVAILABLE',
      usage: { estimated: true },
    })
    expect((await s.messages.findById(reply.userMessage.id))?.status).toBe('complete')
    expect(s.settled).toHaveLength(1)
  })

  it('finalizes once as aborted when stopped, and when the consumer walks away', async () => {
    const slow: Step[] = Array.from({ length: 20 }, (): Step[] => [{ type: 'delta', text: 'x' }, { type: 'wait', ms: 10 }]).flat()
    const s = setup(slow)
    await newSession(s)
    const stopped = await s.send.execute({ actor, sessionId: 's1', content: 'hi' })
    const events = await drain(stopped.events, async (e) => {
      if (e.type === 'delta') await s.control.stop(stopped.assistantMessage.id, 'u1')
    })
    expect(events.at(-1)).toMatchObject({ type: 'done', status: 'aborted' })
    expect(await s.messages.findById(stopped.assistantMessage.id)).toMatchObject({ status: 'aborted', content: 'x' })

    const abandoned = await s.send.execute({ actor, sessionId: 's1', content: 'again' })
    for await (const event of abandoned.events) if (event.type === 'delta') break
    expect(await s.messages.findById(abandoned.assistantMessage.id)).toMatchObject({ status: 'aborted', content: 'x' })
    expect(s.control.runningLocal()).toBe(0)
    expect(s.settled).toHaveLength(2)
  })

  it('refuses before storing anything: unknown session, too long, over quota', async () => {
    const quota = new AppError('QUOTA_EXCEEDED', 'Daily token quota used up', undefined, 3600)
    const s = setup([], { gate: { admit: async () => Promise.reject(quota) } })
    await expect(s.send.execute({ actor, sessionId: 'nope', content: 'hi' })).rejects.toMatchObject({ code: 'NOT_FOUND' })
    await newSession(s)
    await expect(s.send.execute({ actor: { ...actor, userId: 'u2' }, sessionId: 's1', content: 'hi' })).rejects.toMatchObject({ code: 'NOT_FOUND' })
    await expect(s.send.execute({ actor, sessionId: 's1', content: 'x'.repeat(1001) })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' })
    await expect(s.send.execute({ actor, sessionId: 's1', content: 'hi' })).rejects.toBe(quota)
    expect(await s.messages.listAll('s1')).toEqual([])
    expect(s.requests).toEqual([])
  })
})
