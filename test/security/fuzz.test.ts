// Every route of /openapi.json, fuzzed from its own schemas (fast-check): bodies that are mostly
// valid and sometimes wrong in the ways clients get them wrong, random path and query parameters,
// raw bodies that are not JSON. Whatever comes in: no 5xx from our code, no stack trace, and every
// error in its envelope. FUZZ_RUNS (default 2000) is the total number of requests; a nightly-size
// run is FUZZ_RUNS=10000.
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp, type TestResponse } from '../support/test-app.ts'
import { paramValue, SchemaArbitraries, type Schema } from './schema-arbitrary.ts'

const TOTAL_RUNS = Number(process.env.FUZZ_RUNS ?? 2000)
// Ending the admin's own session would turn the rest of the run into 401s.
const SKIPPED = new Set(['POST /api/auth/logout'])
const STACK_TRACE = /\n\s+at\s|\.ts:\d+:\d+|node:internal/
const UPSTREAM_CODES = /^(PROVIDER_|OAUTH_)/

interface Operation {
  method: string
  path: string
  body?: Schema
  query: Schema[]
  pathParams: string[]
}

function operationsOf(doc: any): Operation[] {
  const operations: Operation[] = []
  for (const [path, item] of Object.entries<any>(doc.paths)) {
    for (const [method, op] of Object.entries<any>(item)) {
      if (SKIPPED.has(`${method.toUpperCase()} ${path}`)) continue
      const params: any[] = op.parameters ?? []
      operations.push({
        method: method.toUpperCase(),
        path,
        body: op.requestBody?.content?.['application/json']?.schema,
        query: params.filter((p) => p.in === 'query'),
        pathParams: params.filter((p) => p.in === 'path').map((p) => p.name),
      })
    }
  }
  return operations
}

/** What must hold for any answer, whatever was sent. */
function checkAnswer(what: string, res: TestResponse, raw: string): void {
  const error = (res.body as { error?: { code?: unknown; message?: unknown } } | null)?.error
  if (res.status >= 500) {
    expect(typeof error?.code === 'string' && UPSTREAM_CODES.test(error.code), `${what} -> ${res.status} ${raw.slice(0, 300)}`).toBe(true)
  }
  expect(STACK_TRACE.test(raw), `${what} leaked a stack trace: ${raw.slice(0, 300)}`).toBe(false)
  if (res.status >= 400 && res.headers.get('content-type')?.includes('json')) {
    expect(typeof error?.message, `${what} -> ${res.status} without the error envelope: ${raw.slice(0, 300)}`).toBe('string')
  }
}

describe('fuzzing every route from its OpenAPI schema', () => {
  let t: TestApp
  let admin: string
  let platformKey: string
  let operations: Operation[]
  let arbitraries: SchemaArbitraries

  beforeAll(async () => {
    t = await createTestApp()
    admin = await t.adminToken()
    platformKey = (await t.request('POST', '/api/keys', { token: admin, body: { name: 'fuzz' } })).body.secret
    const doc = (await t.request('GET', '/openapi.json')).body
    operations = operationsOf(doc)
    arbitraries = new SchemaArbitraries(doc.components?.schemas ?? {})
  })
  afterAll(() => t?.close())

  const send = async (op: Operation, path: string, init: { body?: unknown; rawBody?: string; query?: Record<string, string> }) => {
    const query = new URLSearchParams(init.query ?? {}).toString()
    const url = query ? `${path}?${query}` : path
    const relay = op.path.startsWith('/v1')
    const headers: Record<string, string> = relay ? { authorization: `Bearer ${platformKey}`, 'anthropic-version': '2023-06-01' } : {}
    if (init.rawBody !== undefined) headers['content-type'] = 'application/json'
    const res = await t.request(op.method, url, { token: relay ? undefined : admin, headers, body: init.body, rawBody: init.rawBody })
    return { res, raw: typeof res.body === 'string' ? res.body : JSON.stringify(res.body) }
  }

  it('finds the routes it fuzzes', () => {
    expect(operations.length).toBeGreaterThan(50)
    expect(operations.filter((op) => op.body).length).toBeGreaterThan(20)
  })

  it('answers every generated request without a 5xx of its own, a stack trace, or a missing envelope', async () => {
    const runsPerRoute = Math.max(5, Math.ceil(TOTAL_RUNS / operations.length))
    let sent = 0
    const statuses = new Map<number, number>()
    for (const op of operations) {
      const input = fc.record({
        params: fc.tuple(...op.pathParams.map(() => paramValue)),
        query: fc.record(Object.fromEntries(op.query.map((q) => [q.name, paramValue])), { requiredKeys: [] }),
        body: op.body ? arbitraries.body(op.body) : fc.constant(undefined),
      })
      await fc.assert(
        fc.asyncProperty(input, async ({ params, query, body }) => {
          let i = 0
          const path = op.path.replace(/\{[^}]+\}/g, () => encodeURIComponent(String(params[i++] ?? 'x')))
          const { res, raw } = await send(op, path, { body, query: query as Record<string, string> })
          sent++
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1)
          checkAnswer(`${op.method} ${path} ${JSON.stringify(body)?.slice(0, 200)}`, res, raw)
        }),
        { numRuns: runsPerRoute, seed: Number(process.env.FUZZ_SEED ?? 20261207) },
      )
    }
    expect(sent).toBeGreaterThanOrEqual(TOTAL_RUNS)
    console.info(`[fuzz] ${sent} requests over ${operations.length} routes; statuses ${JSON.stringify(Object.fromEntries([...statuses].sort(([a], [b]) => a - b)))}`)
    // The generator gets past validation too, so the use cases are fuzzed, not only the schemas.
    const passed = [...statuses].filter(([status]) => status < 300).reduce((n, [, count]) => n + count, 0)
    expect(passed).toBeGreaterThan(sent * 0.05)
  }, 600_000)

  it('answers bodies that are not JSON, or JSON of the wrong kind, with a 4xx in the envelope', async () => {
    for (const op of operations.filter((o) => o.body)) {
      const path = op.path.replace(/\{[^}]+\}/g, 'x')
      for (const rawBody of ['{', 'null', '[]', '"text"', '{"a":' + '['.repeat(2000)]) {
        const { res, raw } = await send(op, path, { rawBody })
        checkAnswer(`${op.method} ${path} raw ${rawBody.slice(0, 20)}`, res, raw)
        expect(res.status, `${op.method} ${path} raw ${rawBody.slice(0, 20)}`).toBeGreaterThanOrEqual(400)
      }
    }
  })

  it('leaves no secret of the run in the logs', () => {
    const logs = t.logs.join('')
    expect(logs).not.toContain(platformKey)
    expect(logs).not.toContain(admin)
  })
})
