import { describe, expect, it } from 'vitest'
import { TiktokenTokenCounter } from '../../../src/features/chat/adapters/tiktoken-token-counter.ts'
import type { MessageStatus } from '../../../src/features/chat/message.ts'
import { truncateContext, type ContextMessage, type TruncateContextInput } from '../../../src/features/chat/truncate-context.ts'

const user = (id: string, tokens: number | null = 10, content = `q ${id}`): ContextMessage => ({ id, role: 'user', content, status: 'complete', parentId: null, tokens })
const reply = (id: string, parentId: string, tokens: number | null = 10, status: MessageStatus = 'complete', content = `a ${id}`): ContextMessage => ({
  id,
  role: 'assistant',
  content,
  status,
  parentId,
  tokens,
})
/** u1/a1, u2/a2, ...: n complete turns of 10 + 10 tokens. */
const turns = (n: number): ContextMessage[] => Array.from({ length: n }, (_, i) => [user(`u${i + 1}`), reply(`a${i + 1}`, `u${i + 1}`)]).flat()

const base = (over: Partial<TruncateContextInput> = {}): TruncateContextInput => ({
  system: { text: 'Be brief.', tokens: 7 },
  history: [],
  newest: { content: 'newest question', tokens: 10 },
  contextWindow: 1000,
  outputReserve: 100,
  primingTokens: 3,
  ...over,
})

describe('truncateContext', () => {
  // fixed cost: system 7 + newest 10 + priming 3 = 20; each complete turn costs 20.
  it.each([
    { name: 'empty history', history: [], window: 1000, kept: [], dropped: [], tokens: 20 },
    { name: 'everything fits', history: turns(3), window: 1000, kept: ['u1', 'a1', 'u2', 'a2', 'u3', 'a3'], dropped: [], tokens: 80 },
    { name: 'exact fit: the budget is reached, not exceeded', history: turns(3), window: 180, kept: ['u1', 'a1', 'u2', 'a2', 'u3', 'a3'], dropped: [], tokens: 80 },
    { name: 'one token short drops the oldest turn', history: turns(3), window: 179, kept: ['u2', 'a2', 'u3', 'a3'], dropped: ['u1', 'a1'], tokens: 60 },
    { name: 'only the fixed part fits', history: turns(2), window: 120, kept: [], dropped: ['u1', 'a1', 'u2', 'a2'], tokens: 20 },
    {
      name: 'a huge history message stops the walk: nothing older is sent, even if it would fit',
      history: [...turns(1), user('u2', 500), reply('a2', 'u2'), user('u3'), reply('a3', 'u3')],
      window: 400,
      kept: ['u3', 'a3'],
      dropped: ['u1', 'a1', 'u2', 'a2'],
      tokens: 40,
    },
    {
      name: 'regenerated siblings: the latest complete reply is the turn, failed later ones are ignored',
      history: [user('u1'), reply('a1', 'u1', 10), reply('a1b', 'u1', 12), reply('a1c', 'u1', 10, 'error'), user('u2'), reply('a2', 'u2', 10, 'aborted'), reply('a2b', 'u2')],
      window: 1000,
      kept: ['u1', 'a1b', 'u2', 'a2b'],
      dropped: [],
      tokens: 62,
    },
    {
      name: 'user messages without a complete reply are skipped, neither kept nor dropped',
      history: [
        ...turns(1),
        user('u2'),
        reply('a2', 'u2', 10, 'aborted'),
        user('u3'),
        reply('a3', 'u3', 10, 'interrupted'),
        user('u4'),
        reply('a4', 'u4', 10, 'streaming'),
        user('u5'),
        reply('a5', 'u5', 10, 'complete', '  '),
        user('u6'),
      ],
      window: 1000,
      kept: ['u1', 'a1'],
      dropped: [],
      tokens: 40,
    },
  ])('$name', ({ history, window, kept, dropped, tokens }) => {
    const result = truncateContext(base({ history, contextWindow: window }))
    expect(result.keptMessageIds).toEqual(kept)
    expect(result.droppedMessageIds).toEqual(dropped)
    expect(result.promptTokens).toBe(tokens)
    expect(result.promptTokens).toBeLessThanOrEqual(result.budget)
    expect(result.turns.at(-1)).toEqual({ role: 'user', content: 'newest question' })
    expect(result.turns.map((t) => t.role)).toEqual([...kept.map((_, i) => (i % 2 ? 'assistant' : 'user')), 'user'])
  })

  it('sends the kept turns oldest first as alternating user/assistant turns', () => {
    const result = truncateContext(base({ history: turns(2) }))
    expect(result.turns).toEqual([
      { role: 'user', content: 'q u1' },
      { role: 'assistant', content: 'a a1' },
      { role: 'user', content: 'q u2' },
      { role: 'assistant', content: 'a a2' },
      { role: 'user', content: 'newest question' },
    ])
  })

  it.each([
    { name: 'a huge single newest message', over: { newest: { content: 'x', tokens: 5000 } }, budget: 900, required: 5010 },
    { name: 'a system prompt that alone exceeds the window', over: { system: { text: 'long', tokens: 1200 } }, budget: 900, required: 1213 },
    { name: 'an output reserve larger than the window', over: { outputReserve: 1100 }, budget: -100, required: 20 },
    { name: 'one token over the budget', over: { newest: { content: 'x', tokens: 891 } }, budget: 900, required: 901 },
  ])('throws CONTEXT_TOO_LONG for $name', ({ over, budget, required }) => {
    expect(() => truncateContext(base({ history: turns(2), ...over }))).toThrow(expect.objectContaining({ code: 'CONTEXT_TOO_LONG', details: { budget, required } }))
  })

  it('fits exactly when system + newest + priming equal the budget', () => {
    const result = truncateContext(base({ history: turns(1), newest: { content: 'x', tokens: 890 } }))
    expect(result).toMatchObject({ promptTokens: 900, budget: 900, keptMessageIds: [], droppedMessageIds: ['u1', 'a1'] })
  })

  it('works without a system prompt', () => {
    const result = truncateContext(base({ system: null, history: turns(1), contextWindow: 133 }))
    expect(result).toMatchObject({ promptTokens: 33, keptMessageIds: ['u1', 'a1'] })
  })

  it('counts uncounted messages lazily: only the ones it examines, and reports them for caching', () => {
    const history = Array.from({ length: 50 }, (_, i) => [user(`u${i}`, null), reply(`a${i}`, `u${i}`, null)]).flat()
    const seen: string[] = []
    const result = truncateContext(
      base({ history, contextWindow: 100 + 20 + 20 * 3 + 5, countTokens: (content) => (seen.push(content), 10) }),
    )
    expect(result.keptMessageIds).toEqual(['u47', 'a47', 'u48', 'a48', 'u49', 'a49'])
    expect(Object.keys(result.counted).sort()).toEqual(['a46', 'a47', 'a48', 'a49', 'u46', 'u47', 'u48', 'u49'])
    expect(seen).toHaveLength(8)
    expect(result.droppedMessageIds).toHaveLength(94)
  })

  it('refuses an uncounted message without a counter rather than guessing', () => {
    expect(() => truncateContext(base({ history: [user('u1', null), reply('a1', 'u1')] }))).toThrow(/no token count/)
  })

  it('budgets CJK text by its real token cost, not by its length', () => {
    const counter = new TiktokenTokenCounter()
    const cost = (text: string) => counter.countMessage(text, 'gpt-4o')
    const english = 'The weather in Tokyo is mild in spring and the cherry blossoms bloom in early April. '.repeat(4)
    const chinese = '东京春天的天气温和，樱花在四月初盛开。我们计划在那时候去旅行，顺便看看博物馆和寺庙。'.repeat(4)
    const history = [user('u1', cost(chinese), chinese), reply('a1', 'u1', cost(english), 'complete', english), user('u2', cost(chinese), chinese), reply('a2', 'u2', cost(chinese), 'complete', chinese)]
    const newest = { content: '你好', tokens: cost('你好') }
    const fixed = 7 + newest.tokens + 3
    const window = 100 + fixed + cost(chinese) * 2 + 1
    const result = truncateContext(base({ history, newest, contextWindow: window }))
    expect(result.keptMessageIds).toEqual(['u2', 'a2'])
    expect(result.promptTokens).toBe(fixed + cost(chinese) * 2)
    expect(cost(chinese) / [...chinese].length).toBeGreaterThan(0.5)
  })
})
