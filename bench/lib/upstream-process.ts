// The test upstream in its own process, streaming TOKENS one-token deltas DELAY_MS apart by default.
import { startUpstream } from '../../test/support/upstream/server.ts'

const tokens = Number(process.env.TOKENS ?? 64)
const delayMs = Number(process.env.DELAY_MS ?? 5)
const upstream = await startUpstream()
upstream.setDefault({ chunks: tokens, delayMs, text: 'tok '.repeat(tokens) })
// The recorded request log would grow without bound during a benchmark.
setInterval(() => void (upstream.requests.length = 0), 1000).unref()
console.log(JSON.stringify({ url: upstream.url, key: upstream.keys[0] }))
