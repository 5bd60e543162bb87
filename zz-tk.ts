import { get_encoding } from 'tiktoken'
import { TiktokenTokenCounter } from './src/features/chat/adapters/tiktoken-token-counter.ts'
const c = new TiktokenTokenCounter(); c.count('warm', 'gpt-4o')
const enc = get_encoding('o200k_base')
const MB = 1_000_000
const english = 'The quick brown fox jumps over the lazy dog, and then it rests. '.repeat(MB / 64)
const chinese = '东京春天的天气温和，樱花在四月初盛开。我们计划在那时候去旅行，顺便看看博物馆和寺庙。'.repeat(MB / 3 / 44)
for (const [name, s] of [['english 1MB', english], ['chinese 1MB', chinese], ['= 1MB', '='.repeat(MB)], ['a 1MB', 'a'.repeat(MB)], ['我 1MB', '我'.repeat(MB / 3)], ['spaces 1MB', ' '.repeat(MB)], ['emoji 1MB', '😀'.repeat(MB / 4)], ['base64 1MB', Buffer.from(Array.from({ length: 750000 }, (_, i) => (i * 7919) % 256)).toString('base64')]] as const) {
  const t = performance.now(); const n = c.count(s, 'gpt-4o'); const ms = performance.now() - t
  let exact = ''
  if (s.length <= 1_400_000 && !/^(=|a|我|spaces|emoji)/.test(name)) exact = ` exact=${enc.encode_ordinary(s).length}`
  console.log(name, n, 'tokens', ms.toFixed(1), 'ms', exact)
}
for (const [name, s] of [['= 20k', '='.repeat(20000)], ['a 20k', 'a'.repeat(20000)], ['我 5k', '我们需要上下文窗口这个模型'.repeat(400)]] as const) {
  console.log(name, 'sliced', c.count(s, 'gpt-4o'), 'exact', enc.encode_ordinary(s).length)
}
