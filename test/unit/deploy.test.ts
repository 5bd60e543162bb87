import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'

/**
 * No Docker engine here: docker-compose.yml, deploy/nginx.conf and the Dockerfile are checked
 * statically for what running them depends on.
 */
interface Service {
  image?: string
  build?: string
  profiles?: string[]
  environment?: Record<string, string>
  ports?: string[]
  volumes?: string[]
  healthcheck?: { test: string[] }
  depends_on?: Record<string, { condition: string }>
  deploy?: { replicas?: number }
  init?: boolean
  stop_grace_period?: string
  command?: string[]
}
const compose = parse(readFileSync('docker-compose.yml', 'utf8'), { merge: true }) as { services: Record<string, Service>; volumes: Record<string, unknown> }
const services = compose.services
const inProfile = (profile: string) => Object.keys(services).filter((name) => services[name]!.profiles?.includes(profile)).sort()
const declared = [...readFileSync('src/config.ts', 'utf8').matchAll(/^ {2}([A-Z_]+): /gm)].map((m) => m[1]!)

describe('docker-compose.yml', () => {
  it('has a single-node profile (one container, SQLite on a named volume) and a scaled profile', () => {
    expect(inProfile('single')).toEqual(['chatbase'])
    expect(inProfile('scaled')).toEqual(['app', 'postgres', 'proxy', 'redis'])
    expect(Object.values(services).every((s) => s.profiles?.length === 1)).toBe(true)
    const single = services.chatbase!
    expect(single.volumes).toEqual(['chatbase-data:/data'])
    expect(single.environment).toMatchObject({ DATA_DIR: '/data' })
    expect(single.environment!.DATABASE_URL).toBeUndefined()
    expect(single.deploy?.replicas ?? 1).toBe(1)
    expect(Object.keys(compose.volumes).sort()).toEqual(['chatbase-data', 'postgres-data', 'redis-data'])
  })

  it('runs 2 app replicas on PostgreSQL and Redis, behind the proxy only', () => {
    const app = services.app!
    expect(app.deploy?.replicas).toBe(2)
    expect(app.ports).toBeUndefined()
    expect(app.environment!.DATABASE_URL).toMatch(/^postgresql:\/\/chatbase:\$\{POSTGRES_PASSWORD:-\}@postgres:5432\/chatbase$/)
    expect(app.environment).toMatchObject({ REDIS_URL: 'redis://redis:6379', TRUST_PROXY: 'true', METRICS_PORT: '9464' })
    expect(app.depends_on).toEqual({ postgres: { condition: 'service_healthy' }, redis: { condition: 'service_healthy' } })
    expect(services.proxy!.depends_on).toEqual({ app: { condition: 'service_healthy' } })
    expect(services.proxy!.volumes).toEqual(['./deploy/nginx.conf:/etc/nginx/nginx.conf:ro'])
    expect(services.postgres!.volumes).toEqual(['postgres-data:/var/lib/postgresql/data'])
    expect(services.postgres!.image).toMatch(/^postgres:15/)
    expect(services.redis!.image).toMatch(/^redis:7/)
  })

  it('gives every service a healthcheck; the app checks /ready', () => {
    for (const [name, service] of Object.entries(services)) expect(service.healthcheck?.test, name).toBeDefined()
    for (const name of ['chatbase', 'app']) expect(services[name]!.healthcheck!.test.join(' ')).toContain('/ready')
    expect(services.postgres!.healthcheck!.test.join(' ')).toContain('pg_isready')
    expect(services.redis!.healthcheck!.test.join(' ')).toContain('ping')
  })

  it('runs in production mode and requires the secrets instead of generating them', () => {
    for (const name of ['chatbase', 'app']) {
      const env = services[name]!.environment!
      expect(env.NODE_ENV).toBe('production')
      for (const secret of ['JWT_SECRET', 'MASTER_KEY', 'API_KEY_PEPPER']) expect(env[secret], `${name} ${secret}`).toMatch(new RegExp(`^\\$\\{${secret}:\\?.+\\}$`))
      expect(Object.keys(env).filter((key) => !declared.includes(key))).toEqual([])
      expect(env.HOST).toBe('0.0.0.0')
    }
  })

  it('stops gracefully: an init process forwards SIGTERM, and Docker waits longer than the grace period', () => {
    for (const name of ['chatbase', 'app']) {
      const service = services[name]!
      expect(service.init).toBe(true)
      const stopSeconds = Number(/^(\d+)s$/.exec(service.stop_grace_period ?? '')?.[1])
      const graceMs = Number(/:-(\d+)\}/.exec(service.environment!.SHUTDOWN_GRACE_MS!)?.[1])
      expect(stopSeconds * 1000).toBeGreaterThanOrEqual(graceMs + 10_000)
    }
  })
})

describe('deploy/nginx.conf', () => {
  const conf = readFileSync('deploy/nginx.conf', 'utf8').replace(/#.*$/gm, '')
  const location = /location \/ \{([^}]*)\}/.exec(conf)?.[1] ?? ''

  it('passes server-sent events through: no buffering, an hour of read timeout', () => {
    expect(location).toMatch(/proxy_buffering off;/)
    expect(location).toMatch(/proxy_cache off;/)
    expect(location).toMatch(/proxy_read_timeout 3600s;/)
    expect(conf).not.toMatch(/gzip on/)
  })

  it('keeps HTTP/1.1 connections to the upstream replicas alive, for less than Node\'s 5 s', () => {
    expect(location).toMatch(/proxy_pass http:\/\/chatbase;/)
    expect(location).toMatch(/proxy_http_version 1\.1;/)
    expect(location).toMatch(/proxy_set_header Connection "";/)
    const upstream = /upstream chatbase \{([^}]*)\}/.exec(conf)?.[1] ?? ''
    expect(upstream).toMatch(/server app:3000 resolve;/)
    expect(upstream).toMatch(/keepalive \d+;/)
    expect(Number(/keepalive_timeout (\d+)s;/.exec(upstream)?.[1])).toBeLessThan(5)
  })

  it('forwards the client address (the app runs with TRUST_PROXY=true) and never exposes /metrics', () => {
    expect(location).toMatch(/proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;/)
    expect(conf).toMatch(/location = \/metrics \{\s*return 404;/)
    expect(conf).toMatch(/listen 8080;/)
    expect(services.proxy!.ports).toEqual(['${PORT:-8080}:8080'])
  })
})

describe('Dockerfile', () => {
  const dockerfile = readFileSync('Dockerfile', 'utf8')
  const lines = dockerfile.split('\n').filter((l) => l.trim() && !l.trim().startsWith('#'))
  const stages = lines.filter((l) => /^FROM /i.test(l))
  const runtime = lines.slice(lines.indexOf(stages.at(-1)!))
  const startScript = JSON.parse(readFileSync('package.json', 'utf8')).scripts.start as string

  it('is multi-stage: the runtime copies from the build stage', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2)
    expect(stages[0]).toMatch(/ AS build$/i)
    expect(runtime.some((l) => /^COPY --from=build /.test(l))).toBe(true)
    expect(runtime.some((l) => /apt-get|npm (ci|install)/.test(l))).toBe(false)
  })

  it('runs as a non-root user with the data directory as a volume and a readiness healthcheck', () => {
    expect(runtime.filter((l) => /^USER /.test(l)).at(-1)).toMatch(/^USER (node|\d{3,})$/)
    expect(runtime.some((l) => /^VOLUME \["?\/data"?\]/.test(l))).toBe(true)
    expect(runtime.some((l) => /^ENV .*DATA_DIR=\/data/.test(l) || /^\s*DATA_DIR=\/data/.test(l))).toBe(true)
    expect(dockerfile).toMatch(/HEALTHCHECK [^\n]*\\\n\s*CMD [^\n]*\/ready/)
    expect(dockerfile).toMatch(/NODE_ENV=production/)
  })

  it('copies what the start command needs: sources, dependencies, migrations, tsconfig', () => {
    const build = lines.slice(0, lines.indexOf(stages.at(-1)!)).join('\n')
    for (const needed of ['package.json', 'prisma', 'src', 'tsconfig.json']) expect(build, needed).toMatch(new RegExp(`COPY [^\\n]*\\b${needed.replace('.', '\\.')}\\b`))
    expect(build).toMatch(/npm ci/)
    expect(runtime.some((l) => /^COPY --from=build [^\n]*\/app \/app$/.test(l))).toBe(true)
    const dockerignore = readFileSync('.dockerignore', 'utf8').split('\n')
    for (const needed of ['src', 'prisma', 'package.json', 'tsconfig.json']) expect(dockerignore).not.toContain(needed)
  })

  it('builds plain JavaScript and starts node itself on it, so SIGTERM reaches the graceful shutdown', () => {
    expect(dockerfile).toMatch(/RUN npm run build\b/)
    expect(startScript.split(' ').slice(-1)[0]).toBe('dist/main.js')
    expect(startScript).toMatch(/^node scripts\/build\.mjs --if-stale && /)
    // The image runs exactly what `npm start` runs, node options included (docs/operations.md).
    const startCommand = startScript.replace(/^node scripts\/build\.mjs --if-stale && /, '').split(' ')
    expect(lines.at(-1)).toBe(`CMD ${JSON.stringify(startCommand).replaceAll(',', ', ')}`)
    expect(startCommand).toContain('--heap-growing-percent=100')
  })
})

describe('docs/operations.md', () => {
  const doc = readFileSync('docs/operations.md', 'utf8')

  it('documents every configuration variable with its default', () => {
    const rows = new Map([...doc.matchAll(/^\| `([A-Z_]+)` \| ([^|]+) \|/gm)].map((m) => [m[1]!, m[2]!.trim()]))
    expect(declared.filter((name) => !rows.has(name))).toEqual([])
    expect([...rows.keys()].filter((name) => !declared.includes(name))).toEqual([])
  })

  it('links the benchmarks and the files it describes', () => {
    for (const target of ['benchmarks.md', '../docker-compose.yml', '../deploy/nginx.conf', '../.env.example']) expect(doc).toContain(`](${target})`)
  })
})
