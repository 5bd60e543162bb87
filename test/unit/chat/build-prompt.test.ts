import { describe, expect, it } from 'vitest'
import { TruncateContext, safetyMarginFor } from '../../../src/features/chat/build-prompt.use-case.ts'
import type { NewMessage } from '../../../src/features/chat/message.ts'
import type { TokenCounter } from '../../../src/features/chat/token-counter.port.ts'
import { InMemoryMessageRepository } from '../../../src/features/chat/testing/in-memory-message.repository.ts'

/** One token per character plus 3 per message: easy arithmetic, and it records what it counted. */
class CharCounter implements TokenCounter {
  readonly counted: string[] = []
  count(text: string): number {
    return text.length
  }
  countMessage(text: string): number {
    this.counted.push(text)
    return text.length + 3
  }
}

const msg = (id: string, over: Partial<NewMessage> = {}): NewMessage => ({
  id,
  sessionId: 's1',
  parentId: null,
  role: 'user',
  content: `${id}-text`, // 7 characters: costs 10
  status: 'complete',
  modelConfigId: null,
  tokenCount: null,
  ...over,
})

async function setup(pairs = 5) {
  const messages = new InMemoryMessageRepository()
  for (let i = 1; i <= pairs; i++) {
    await messages.append(msg(`u${i}`))
    await messages.append(msg(`a${i}`, { role: 'assistant', parentId: `u${i}` }))
  }
  const counter = new CharCounter()
  return { messages, counter, useCase: new TruncateContext(messages, counter) }
}

// newest "hi!" costs 6, system "sys" costs 6, priming 3: 15 fixed; each turn 20.
const input = { sessionId: 's1', system: 'sys', newest: { content: 'hi!' }, model: 'gpt-4o', maxOutputTokens: 100 }

describe('TruncateContext (build the prompt)', () => {
  it('keeps a safety margin of 2% of the window, at least 64 tokens', () => {
    expect(safetyMarginFor(1000)).toBe(64)
    expect(safetyMarginFor(128_000)).toBe(2560)
    expect(safetyMarginFor(200_000)).toBe(4000)
  })

  it('reserves output + margin, sends what fits and caches the counts it made', async () => {
    const { useCase, messages, counter } = await setup()
    // budget = 1000 - 100 - 64 = 836: everything fits.
    const result = await useCase.execute({ ...input, contextWindow: 1000 })
    expect(result).toMatchObject({ budget: 836, promptTokens: 15 + 5 * 20, droppedMessageIds: [] })
    expect(result.turns).toHaveLength(11)
    expect(messages.savedTokenCounts).toHaveLength(1)
    expect((await messages.findById('u1'))?.tokenCount).toBe(10)

    counter.counted.length = 0
    await useCase.execute({ ...input, contextWindow: 1000 })
    expect(counter.counted).toEqual(['sys', 'hi!']) // history counts come from the cache now
    expect(messages.savedTokenCounts).toHaveLength(1)
  })

  it('applies a budget override only to tighten the budget', async () => {
    const { useCase } = await setup()
    const tight = await useCase.execute({ ...input, contextWindow: 1000, budgetOverride: 56 })
    expect(tight).toMatchObject({ budget: 56, keptMessageIds: ['u4', 'a4', 'u5', 'a5'] })
    const loose = await useCase.execute({ ...input, contextWindow: 1000, budgetOverride: 5000 })
    expect(loose.budget).toBe(836)
  })

  it('leaves out a stored newest message and everything after it (edit, regenerate)', async () => {
    const { useCase } = await setup(3)
    const result = await useCase.execute({ ...input, newest: { id: 'u2', content: 'u2-text' }, contextWindow: 1000 })
    expect(result.keptMessageIds).toEqual(['u1', 'a1'])
    expect(result.turns.at(-1)).toEqual({ role: 'user', content: 'u2-text' })
  })

  it('does not count replies still streaming and never caches a count for them', async () => {
    const { useCase, messages, counter } = await setup(1)
    await messages.append(msg('u2'))
    await messages.append(msg('a2', { role: 'assistant', parentId: 'u2', status: 'streaming', content: 'partial' }))
    const result = await useCase.execute({ ...input, contextWindow: 1000 })
    expect(result.keptMessageIds).toEqual(['u1', 'a1'])
    expect(counter.counted).not.toContain('partial')
    expect(messages.savedTokenCounts.flatMap(Object.keys)).not.toContain('a2')
  })

  it('answers CONTEXT_TOO_LONG when the window cannot even hold the new message', async () => {
    const { useCase } = await setup()
    await expect(useCase.execute({ ...input, newest: { content: 'x'.repeat(900) }, contextWindow: 1000 })).rejects.toMatchObject({
      code: 'CONTEXT_TOO_LONG',
      details: { budget: 836, required: 6 + 903 + 3 },
    })
  })
})
