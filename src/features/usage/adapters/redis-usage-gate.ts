import { createHash } from 'node:crypto'
import { inject, injectable } from 'tsyringe'
import { Clock } from '../../../shared/clock.port.ts'
import { ServiceUnavailable, type AppError } from '../../../shared/errors.ts'
import { IdGenerator } from '../../../shared/ids.ts'
import { RedisClient, type Redis } from '../../../shared/infra/redis.ts'
import { Log, type Logger } from '../../../shared/logger.ts'
import { actualDemand, demandOf, settleOnce } from '../demand.ts'
import { EffectiveLimits, type ScopeLimits } from '../effective-limits.ts'
import { UsageGateOptions } from '../gate-options.ts'
import {
  breachError,
  CONCURRENCY_RETRY_MS,
  dayStart,
  monthStart,
  reservationFor,
  RPM_WINDOW_MS,
  windowsAt,
  type Demand,
  type Windows,
} from '../limit-policy.ts'
import { LIMIT_NAMES } from '../limits.ts'
import type { Admission, UsageGate, UsageRequest } from '../usage-gate.port.ts'
import { UsageRecorder } from '../usage-recorder.port.ts'
import { UsageTotals } from '../usage-totals.port.ts'
import { ADMIT_SCRIPT, SETTLE_SCRIPT } from './usage-scripts.ts'

const MAX_SEED_ROUNDS = 3
const DAY_MS = 86_400_000

/**
 * UsageGate shared by every replica through Redis. An admission is one EVALSHA (plus, the first
 * time a scope needs a day or month total, one database sum and one pipelined SET NX); a settlement
 * is one EVALSHA. Counters are created from the recorded usage, so a flushed Redis starts right.
 */
@injectable()
export class RedisUsageGate implements UsageGate {
  private readonly admitScript: LuaScript
  private readonly settleScript: LuaScript

  constructor(
    @inject(RedisClient) private readonly redis: Redis,
    @inject(EffectiveLimits) private readonly limits: EffectiveLimits,
    @inject(UsageTotals) private readonly totals: UsageTotals,
    @inject(UsageRecorder) private readonly recorder: UsageRecorder,
    @inject(Clock) private readonly clock: Clock,
    @inject(IdGenerator) private readonly ids: IdGenerator,
    @inject(UsageGateOptions) private readonly options: UsageGateOptions,
    @inject(Log) private readonly log: Logger,
  ) {
    this.admitScript = new LuaScript(redis, ADMIT_SCRIPT)
    this.settleScript = new LuaScript(redis, SETTLE_SCRIPT)
  }

  async admit(request: UsageRequest): Promise<Admission> {
    const scopes = await this.limits.scopesFor(request)
    const demand = demandOf(request)
    const holdId = this.ids.next()
    for (let round = 1; ; round++) {
      const now = this.clock.now().getTime()
      const w = windowsAt(now)
      const reservations = scopes.map((s) => reservationFor(s.limits, demand))
      const holds = reservations.map((r) => (r.lease ? [holdId, w.day, w.month, r.tokensDay, r.tokensMonth, r.costMicros].join('|') : ''))
      const args: (string | number)[] = [now, holdId, w.day, w.month, demand.tokens, demand.costMicros, RPM_WINDOW_MS, now + this.options.leaseMs]
      scopes.forEach((s, i) => {
        const limit = (name: (typeof LIMIT_NAMES)[number]) => s.limits[name] ?? -1
        const r = reservations[i]!
        args.push(...LIMIT_NAMES.map(limit), r.tokensDay, r.tokensMonth, r.costMicros, holds[i]!)
      })
      const keys = scopes.flatMap((s) => this.keysOf(s, w))
      const reply = (await this.run(() => this.admitScript.run(keys, args))) as (string | number)[]

      if (reply[0] === 'ok') {
        return settleOnce((actual) => this.settle(scopes, w, holds, reservations, actualDemand(request.modelId, actual)))
      }
      if (reply[0] === 'reject') throw this.rejection(scopes, reply, demand, now, w)
      if (round >= MAX_SEED_ROUNDS) throw new ServiceUnavailable('Usage counters could not be initialised; try again', 1)
      await this.seed(scopes, reply.slice(1).map(Number), w)
    }
  }

  private async settle(scopes: ScopeLimits[], w: Windows, holds: string[], reservations: ReturnType<typeof reservationFor>[], used: Demand) {
    const keys = scopes.flatMap((s) => this.keysOf(s, w).slice(1))
    const args: (string | number)[] = [used.tokens, used.costMicros]
    scopes.forEach((_s, i) => {
      const r = reservations[i]!
      args.push(holds[i]!, r.tokensDay, r.tokensMonth, r.costMicros)
    })
    // Settling must never fail the reply: a lost settlement only leaves a lease to expire.
    await this.settleScript.run(keys, args).catch((err: unknown) => this.log.error({ err }, 'could not settle usage in Redis'))
  }

  /** The missing counters, created from the recorded usage; SET NX keeps a concurrent replica's. */
  private async seed(scopes: ScopeLimits[], missing: number[], w: Windows): Promise<void> {
    await this.recorder.flush()
    const writes = this.redis.pipeline()
    for (let j = 0; j + 1 < missing.length; j += 2) {
      const s = scopes[missing[j]!]!
      const counter = missing[j + 1]! // 3 tokens today, 4 tokens this month, 5 cost this month
      const [from, to] = counter === 3 ? [dayStart(w), w.dayEndsAt] : [monthStart(w), w.monthEndsAt]
      const sum = await this.totals.sum(s.scope === 'user' ? { userId: s.id } : { apiKeyId: s.id }, from, new Date(to))
      writes.set(this.keysOf(s, w)[counter - 1]!, counter === 5 ? sum.costMicros : sum.tokens, 'PXAT', to + DAY_MS, 'NX')
    }
    await this.run(() => writes.exec())
  }

  private rejection(scopes: ScopeLimits[], reply: (string | number)[], demand: Demand, now: number, w: Windows): AppError {
    const [, scopeIndex, limitIndex, used, retryAfterMs] = reply.map(Number) as number[]
    const s = scopes[scopeIndex!]!
    const limit = LIMIT_NAMES[limitIndex! - 1]!
    const retry: Record<(typeof LIMIT_NAMES)[number], number> = {
      requestsPerMinute: retryAfterMs!,
      concurrentStreams: CONCURRENCY_RETRY_MS,
      tokensPerDay: w.dayEndsAt - now,
      tokensPerMonth: w.monthEndsAt - now,
      costBudgetMicrosPerMonth: w.monthEndsAt - now,
    }
    const requested = limit === 'costBudgetMicrosPerMonth' ? demand.costMicros : limit.startsWith('tokens') ? demand.tokens : 1
    return breachError(s.scope, { limit, limitValue: s.limits[limit]!, used: used!, requested, retryAfterMs: retry[limit] })
  }

  private keysOf(s: ScopeLimits, w: Windows): string[] {
    const base = `${this.options.redisKeyPrefix}${s.scope}:${s.id}`
    return [`${base}:rpm`, `${base}:leases`, `${base}:tok:d:${w.day}`, `${base}:tok:m:${w.month}`, `${base}:cost:m:${w.month}`]
  }

  /** Limits cannot be checked without Redis: refuse (503) rather than let everything through. */
  private async run<T>(command: () => Promise<T>): Promise<T> {
    try {
      return await command()
    } catch (err) {
      this.log.error({ err }, 'usage limits: Redis command failed')
      throw new ServiceUnavailable('Usage limits cannot be checked right now (shared store unavailable); try again shortly', 5)
    }
  }
}

/** EVALSHA, loading the script with EVAL only when the server does not know it yet (NOSCRIPT). */
class LuaScript {
  private readonly sha: string

  constructor(
    private readonly redis: Redis,
    private readonly source: string,
  ) {
    this.sha = createHash('sha1').update(source).digest('hex')
  }

  async run(keys: string[], args: (string | number)[]): Promise<unknown> {
    try {
      return await this.redis.evalsha(this.sha, keys.length, ...keys, ...args)
    } catch (err) {
      if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err
      return this.redis.eval(this.source, keys.length, ...keys, ...args)
    }
  }
}
