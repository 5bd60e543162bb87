// Run: npx tsx bench/truncate-context.bench.ts
// Builds a 5,000-message session (mixed English/CJK, realistic lengths) and times one prompt build:
// cold (no token counts cached), warm (counts cached by the previous call), and the pure policy alone.
import 'reflect-metadata'
import os from 'node:os'
import { TiktokenTokenCounter } from '../src/features/chat/adapters/tiktoken-token-counter.ts'
import { PrismaMessageRepository } from '../src/features/chat/adapters/prisma-message.repository.ts'
import { TruncateContext } from '../src/features/chat/build-prompt.use-case.ts'
import type { Message, NewMessage } from '../src/features/chat/message.ts'
import type { MessageRepository } from '../src/features/chat/message.repository.port.ts'
import { InMemoryMessageRepository } from '../src/features/chat/testing/in-memory-message.repository.ts'
import { REPLY_PRIMING_TOKENS, truncateContext } from '../src/features/chat/truncate-context.ts'
import { createTestDatabase } from '../test/support/test-database.ts'

const MESSAGES = 5_000
const RUNS = { cold: 5, warm: 21 }
const MODELS = [
  { label: 'gpt-4o, 128k window, 16k output', model: 'gpt-4o', contextWindow: 128_000, maxOutputTokens: 16_384 },
  { label: 'gpt-4.1, 1M window, 32k output', model: 'gpt-4.1', contextWindow: 1_047_576, maxOutputTokens: 32_768 },
]

// Deterministic text: a seeded PRNG over English words and Chinese phrases.
let seed = 42
const rand = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31)
const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)]!
const WORDS = 'the a model context window token budget request reply user message session server database cache latency stream error retry provider cost quality answer question code function test deploy config memory search index'.split(' ')
const PHRASES = ['我们需要', '上下文窗口', '这个模型', '回复的质量', '数据库的性能', '请帮我解释一下', '为什么会这样', '服务器', '缓存命中率', '非常重要', '可以考虑', '另外', '总之']

/** English words, or Chinese phrases punctuated like real prose (a comma or full stop every 1-4 phrases). */
function text(words: number): string {
  const cjk = rand() < 0.3
  let out = ''
  for (let i = 0; i < words; i++) {
    if (!cjk) out += (i ? ' ' : '') + pick(WORDS) + (rand() < 0.08 ? '.' : '')
    else out += pick(PHRASES) + (rand() < 0.35 ? pick(['，', '，', '。', '？']) : '')
  }
  return out + (cjk ? '。' : '.')
}

function session(): NewMessage[] {
  const out: NewMessage[] = []
  for (let i = 0; out.length < MESSAGES; i++) {
    const userId = `m-${String(out.length).padStart(5, '0')}`
    out.push({ id: userId, sessionId: 's', parentId: null, role: 'user', content: text(10 + Math.floor(rand() * 120)), status: 'complete', modelConfigId: null, tokenCount: null })
    const status = rand() < 0.03 ? 'aborted' : 'complete'
    const replyId = `m-${String(out.length).padStart(5, '0')}`
    out.push({ id: replyId, sessionId: 's', parentId: userId, role: 'assistant', content: text(60 + Math.floor(rand() * 500)), status, modelConfigId: null, tokenCount: null })
  }
  return out
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const ms = (x: number) => x.toFixed(x < 10 ? 2 : 1)

type Store = { make(): Promise<MessageRepository>; load(repo: MessageRepository, rows: NewMessage[]): Promise<void> }

async function fresh(store: Store, rows: NewMessage[]) {
  const repo = await store.make()
  await store.load(repo, rows)
  return repo
}

async function time(fn: () => Promise<unknown>): Promise<number> {
  const started = performance.now()
  await fn()
  return performance.now() - started
}

async function main() {
  const rows = session()
  const counter = new TiktokenTokenCounter()
  const loadStart = performance.now()
  counter.count('warm up', 'gpt-4o')
  const loadMs = performance.now() - loadStart
  const chars = rows.reduce((n, m) => n + m.content.length, 0)
  const allTokens = rows.reduce((n, m) => n + counter.countMessage(m.content, 'gpt-4o'), 0)
  const newest = { content: 'Summarize what we decided about the cache, 请用中文回答。' }

  const lines = ['| store | model | scenario | ms/call (median) | runs | kept | dropped | prompt tokens |', '| --- | --- | --- | ---: | ---: | ---: | ---: | ---: |']
  const row = (store: string, label: string, scenario: string, t: number, runs: number, r: { keptMessageIds: string[]; droppedMessageIds: string[]; promptTokens: number }) =>
    lines.push(`| ${store} | ${label} | ${scenario} | ${ms(t)} | ${runs} | ${r.keptMessageIds.length} | ${r.droppedMessageIds.length} | ${r.promptTokens} |`)

  const sqlite = await createTestDatabase('sqlite')
  const client = sqlite.db.client
  const stores: [string, Store][] = [
    ['in-memory', { make: async () => new InMemoryMessageRepository(), load: async (repo, all) => void (await Promise.all(all.map((m) => repo.append(m)))) }],
    [
      'SQLite',
      {
        async make() {
          await client.message.deleteMany()
          await client.chatSession.deleteMany()
          await client.user.upsert({ where: { id: 'u' }, create: { id: 'u', username: 'u', passwordHash: 'x' }, update: {} })
          await client.chatSession.create({ data: { id: 's', ownerId: 'u', title: 'bench' } })
          return new PrismaMessageRepository(sqlite.db)
        },
        load: async (_repo, all) => {
          for (let i = 0; i < all.length; i += 500) await client.message.createMany({ data: all.slice(i, i + 500) })
        },
      },
    ],
  ]

  try {
    for (const [store, impl] of stores) {
      for (const cfg of MODELS) {
        const input = { sessionId: 's', system: 'You are a helpful assistant. 回答要简洁。', newest, ...cfg }
        const cold: number[] = []
        let result
        for (let i = 0; i < RUNS.cold; i++) {
          const repo = await fresh(impl, rows)
          const useCase = new TruncateContext(repo, counter)
          cold.push(await time(async () => (result = await useCase.execute(input))))
        }
        row(store, cfg.label, 'cold: nothing cached (counts only the messages it examines)', median(cold), RUNS.cold, result!)

        const repo = await fresh(impl, rows)
        const useCase = new TruncateContext(repo, counter)
        await useCase.execute(input)
        const warm: number[] = []
        for (let i = 0; i < RUNS.warm; i++) warm.push(await time(async () => (result = await useCase.execute(input))))
        row(store, cfg.label, 'warm: counts cached', median(warm), RUNS.warm, result!)

        if (store === 'in-memory') {
          const eager: number[] = []
          for (let i = 0; i < RUNS.cold; i++) eager.push(await time(async () => rows.forEach((m) => counter.countMessage(m.content, cfg.model))))
          lines.push(`| - | ${cfg.label} | for comparison: counting all ${MESSAGES} messages | ${ms(median(eager))} | ${RUNS.cold} | | | |`)

          const history = (await repo.listAll('s')).map((m: Message) => ({ ...m, tokens: m.tokenCount ?? 0 }))
          const pure: number[] = []
          for (let i = 0; i < RUNS.warm; i++) {
            pure.push(
              await time(async () =>
                (result = truncateContext({
                  system: { text: input.system, tokens: counter.countMessage(input.system, cfg.model) },
                  history,
                  newest: { ...newest, tokens: counter.countMessage(newest.content, cfg.model) },
                  contextWindow: cfg.contextWindow,
                  outputReserve: cfg.maxOutputTokens + Math.max(64, Math.ceil(cfg.contextWindow * 0.02)),
                  primingTokens: REPLY_PRIMING_TOKENS,
                })),
              ),
            )
          }
          row('-', cfg.label, 'pure truncateContext only (all counts given)', median(pure), RUNS.warm, result!)
        }
      }
    }
  } finally {
    await sqlite.dispose()
  }

  console.log(`Session: ${MESSAGES} messages, ${(chars / 1e6).toFixed(2)} M characters, ${allTokens} tokens (o200k), ~30% of messages Chinese, 3% of replies aborted.`)
  console.log(`Encoder load (o200k_base, once per process): ${ms(loadMs)} ms. Node ${process.version}, ${os.cpus().length} CPUs, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}.\n`)
  console.log(lines.join('\n'))
}

await main()
