import { readdirSync, readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'

/**
 * The hexagon's rules, checked mechanically: domain files, ports and use cases import no framework,
 * no database client, no HTTP client and no environment, and features only reach into each other
 * through ports and domain types.
 */
const SRC = path.resolve('src')
const FORBIDDEN_PACKAGES = [/^hono/, /^@hono\//, /^@prisma\//, /generated\//, /^pg$/, /^better-sqlite3$/, /^ioredis$/, /^pino$/, /^node:(http|https|net|fs|child_process)$/, /^tiktoken/, /^eventsource-parser$/]
const FORBIDDEN_CODE: [RegExp, string][] = [
  [/\bprocess\.env\b/, 'process.env'],
  [/(^|[^.\w])fetch\(/, 'fetch('],
]

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name)
    return statSync(full).isDirectory() ? walk(full) : full.endsWith('.ts') ? [full] : []
  })
}

const isEdge = (file: string) =>
  /\/(adapters|testing|generated|infra|http)\//.test(file) || /\.(routes|module|schemas|middleware)\.ts$/.test(file)

function coreFiles(): string[] {
  return walk(path.join(SRC, 'features'))
    .concat(readdirSync(path.join(SRC, 'shared')).filter((f) => f.endsWith('.ts')).map((f) => path.join(SRC, 'shared', f)))
    .filter((file) => !isEdge(file) && !file.endsWith('logger.ts'))
}

const importsOf = (source: string) => [...source.matchAll(/^\s*(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]/gm)].map((m) => m[1]!)
const featureOf = (file: string) => path.relative(path.join(SRC, 'features'), file).split(path.sep)[0]

describe('architecture boundaries', () => {
  const files = coreFiles()

  it('finds the core files it guards', () => {
    expect(files.some((f) => f.endsWith('.use-case.ts'))).toBe(true)
    expect(files.some((f) => f.endsWith('.port.ts'))).toBe(true)
  })

  it('flags a use case that imports Prisma, reads process.env and calls fetch', () => {
    const file = path.join(SRC, 'features', 'chat', 'send-message.use-case.ts')
    const source = "import { PrismaClient } from '../../generated/sqlite/client.ts'\nimport { x } from '../models/adapters/repo.ts'\nconst k = process.env.KEY\nawait fetch(k)\n"
    expect(violations(file, source)).toEqual([
      'imports ../../generated/sqlite/client.ts',
      'imports the adapter/edge file ../../generated/sqlite/client.ts',
      'imports the adapter/edge file ../models/adapters/repo.ts',
      'uses process.env',
      'uses fetch(',
    ])
  })

  it.each(files.map((f) => [path.relative(SRC, f), f]))('%s stays free of frameworks and I/O', (_name, file) => {
    expect(violations(file, readFileSync(file, 'utf8'))).toEqual([])
  })
})

function violations(file: string, source: string): string[] {
    const problems: string[] = []
    for (const spec of importsOf(source)) {
      if (FORBIDDEN_PACKAGES.some((re) => re.test(spec))) problems.push(`imports ${spec}`)
      if (spec.startsWith('.')) {
        const target = path.resolve(path.dirname(file), spec)
        if (isEdge(target)) problems.push(`imports the adapter/edge file ${spec}`)
        const from = featureOf(file)
        const to = featureOf(target)
        const crossFeature = target.startsWith(path.join(SRC, 'features')) && from !== to && file.startsWith(path.join(SRC, 'features'))
        if (crossFeature && /\.(use-case|routes|module)\.ts$/.test(target)) problems.push(`reaches into another feature's ${spec}`)
      }
    }
    for (const [re, what] of FORBIDDEN_CODE) if (re.test(source.replace(/\/\/.*$/gm, ''))) problems.push(`uses ${what}`)
    return problems
}
