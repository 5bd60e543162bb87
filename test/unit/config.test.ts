import { describe, expect, it } from 'vitest'
import { ConfigError, loadConfig } from '../../src/config.ts'
import { readFileSync } from 'node:fs'

const problemsOf = (env: Record<string, string>) => {
  try {
    loadConfig(env)
    return []
  } catch (err) {
    if (err instanceof ConfigError) return err.problems
    throw err
  }
}

describe('configuration', () => {
  it('has safe defaults: SQLite in ./data, port 3000 on loopback', () => {
    const config = loadConfig({})
    expect(config).toMatchObject({ port: 3000, host: '127.0.0.1', env: 'development' })
    expect(config.databaseUrl).toMatch(/^file:.*data[/\\]app\.db$/)
  })

  it.each([
    [{ PORT: 'eighty' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ MASTER_KEY: 'too-short' }, 'MASTER_KEY'],
    [{ JWT_SECRET: 'short' }, 'JWT_SECRET'],
    [{ PREVIOUS_MASTER_KEYS: `${'a'.repeat(64)},nope` }, 'PREVIOUS_MASTER_KEYS'],
    [{ REDIS_URL: 'localhost:6379' }, 'REDIS_URL'],
  ])('names the variable that is wrong: %o', (env, variable) => {
    const problems = problemsOf(env)
    expect(problems).toHaveLength(1)
    expect(problems[0]).toMatch(new RegExp(`^${variable}: `))
  })

  it('accepts a 32-byte master key in hex or base64', () => {
    expect(loadConfig({ MASTER_KEY: 'ab'.repeat(32) }).secrets.masterKey).toHaveLength(32)
    expect(loadConfig({ MASTER_KEY: Buffer.alloc(32, 1).toString('base64') }).secrets.masterKey).toHaveLength(32)
  })

  it('refuses production without the secrets, naming each', () => {
    expect(problemsOf({ NODE_ENV: 'production' }).map((p) => p.split(':')[0])).toEqual(['JWT_SECRET', 'MASTER_KEY', 'API_KEY_PEPPER'])
  })

  it('documents every variable in .env.example', () => {
    const documented = [...readFileSync('.env.example', 'utf8').matchAll(/^([A-Z_]+)=/gm)].map((m) => m[1])
    const source = readFileSync('src/config.ts', 'utf8')
    const declared = [...source.matchAll(/^ {2}([A-Z_]+): /gm)].map((m) => m[1])
    expect(declared.length).toBeGreaterThan(20)
    expect(documented.sort()).toEqual(declared.sort())
  })
})
