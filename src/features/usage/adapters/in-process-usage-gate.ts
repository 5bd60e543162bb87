import { inject, injectable } from 'tsyringe'
import { Clock } from '../../../shared/clock.port.ts'
import { IdGenerator } from '../../../shared/ids.ts'
import { actualDemand, demandOf, settleOnce } from '../demand.ts'
import { EffectiveLimits, type ScopeLimits } from '../effective-limits.ts'
import { UsageGateOptions } from '../gate-options.ts'
import {
  breachError,
  dayStart,
  firstBreach,
  monthStart,
  reservationFor,
  RPM_WINDOW_MS,
  windowsAt,
  type Demand,
  type Reservation,
  type Windows,
} from '../limit-policy.ts'
import type { Admission, UsageGate, UsageRequest } from '../usage-gate.port.ts'
import { UsageRecorder } from '../usage-recorder.port.ts'
import { UsageTotals } from '../usage-totals.port.ts'

interface Hold {
  expiresAt: number
  windows: Windows
  reservation: Reservation
}
interface ScopeState {
  requests: number[]
  holds: Map<string, Hold>
}
type CounterKind = 'tokensDay' | 'tokensMonth' | 'cost'

const NO_RESERVATION: Reservation = { tokensDay: 0, tokensMonth: 0, costMicros: 0, lease: false }

/**
 * UsageGate for a single instance: request times, leases and reservations in memory; day and month
 * totals start from the recorded usage (read once per scope and window) and are kept up to date by
 * settlements. Every check and reservation of one admission happens in one synchronous step.
 */
@injectable()
export class InProcessUsageGate implements UsageGate {
  private readonly scopes = new Map<string, ScopeState>()
  private readonly counters = new Map<string, number>()
  private readonly seeding = new Map<string, Promise<void>>()
  private currentDay = ''

  constructor(
    @inject(EffectiveLimits) private readonly limits: EffectiveLimits,
    @inject(UsageTotals) private readonly totals: UsageTotals,
    @inject(UsageRecorder) private readonly recorder: UsageRecorder,
    @inject(Clock) private readonly clock: Clock,
    @inject(IdGenerator) private readonly ids: IdGenerator,
    @inject(UsageGateOptions) private readonly options: UsageGateOptions,
  ) {}

  async admit(request: UsageRequest): Promise<Admission> {
    const scopes = await this.limits.scopesFor(request)
    const now = this.clock.now().getTime()
    const w = windowsAt(now)
    await Promise.all(scopes.map((s) => this.ensureCounters(s, w)))
    this.sweep(w, now)

    // From here to the return nothing awaits: checks and reservations are one atomic step.
    const demand = demandOf(request)
    const states = scopes.map((s) => this.stateOf(s, now))
    scopes.forEach((s, i) => {
      const state = states[i]!
      const usage = {
        recentRequests: state.requests,
        activeStreams: state.holds.size,
        tokensToday: this.counters.get(counterKey(s, 'tokensDay', w)) ?? 0,
        tokensThisMonth: this.counters.get(counterKey(s, 'tokensMonth', w)) ?? 0,
        costMicrosThisMonth: this.counters.get(counterKey(s, 'cost', w)) ?? 0,
      }
      const breach = firstBreach(s.limits, usage, demand, now, w)
      if (breach) throw breachError(s.scope, breach)
    })
    const holdId = this.ids.next()
    const reservations = scopes.map((s, i) => this.reserve(s, states[i]!, holdId, demand, now, w))

    return settleOnce(async (actual) => {
      const used = actualDemand(request.modelId, actual)
      scopes.forEach((s, i) => {
        const state = states[i]!
        // A lease that expired was reclaimed already: nothing of it is left to give back.
        const held = state.holds.delete(holdId) ? reservations[i]! : NO_RESERVATION
        this.add(counterKey(s, 'tokensDay', w), used.tokens - held.tokensDay)
        this.add(counterKey(s, 'tokensMonth', w), used.tokens - held.tokensMonth)
        this.add(counterKey(s, 'cost', w), used.costMicros - held.costMicros)
      })
    })
  }

  private reserve(s: ScopeLimits, state: ScopeState, holdId: string, demand: Demand, now: number, w: Windows): Reservation {
    if (s.limits.requestsPerMinute !== undefined) state.requests.push(now)
    const reservation = reservationFor(s.limits, demand)
    this.add(counterKey(s, 'tokensDay', w), reservation.tokensDay)
    this.add(counterKey(s, 'tokensMonth', w), reservation.tokensMonth)
    this.add(counterKey(s, 'cost', w), reservation.costMicros)
    if (reservation.lease) state.holds.set(holdId, { expiresAt: now + this.options.leaseMs, windows: w, reservation })
    return reservation
  }

  /** A scope's state with requests older than the window and expired leases (given back) removed. */
  private stateOf(s: ScopeLimits, now: number): ScopeState {
    const key = `${s.scope}:${s.id}`
    let state = this.scopes.get(key)
    if (!state) this.scopes.set(key, (state = { requests: [], holds: new Map() }))
    const firstRecent = state.requests.findIndex((t) => t > now - RPM_WINDOW_MS)
    state.requests.splice(0, firstRecent < 0 ? state.requests.length : firstRecent)
    for (const [id, hold] of state.holds) {
      if (hold.expiresAt > now) continue
      state.holds.delete(id)
      this.add(counterKey(s, 'tokensDay', hold.windows), -hold.reservation.tokensDay)
      this.add(counterKey(s, 'tokensMonth', hold.windows), -hold.reservation.tokensMonth)
      this.add(counterKey(s, 'cost', hold.windows), -hold.reservation.costMicros)
    }
    return state
  }

  /** Only counters that exist move: one is created (from the records) when a quota first needs it. */
  private add(key: string, delta: number): void {
    const value = this.counters.get(key)
    if (value !== undefined && delta !== 0) this.counters.set(key, value + delta)
  }

  private async ensureCounters(s: ScopeLimits, w: Windows): Promise<void> {
    const needed: [CounterKind, Date, Date][] = []
    if (s.limits.tokensPerDay !== undefined) needed.push(['tokensDay', dayStart(w), new Date(w.dayEndsAt)])
    if (s.limits.tokensPerMonth !== undefined) needed.push(['tokensMonth', monthStart(w), new Date(w.monthEndsAt)])
    if (s.limits.costBudgetMicrosPerMonth !== undefined) needed.push(['cost', monthStart(w), new Date(w.monthEndsAt)])
    await Promise.all(
      needed.map(([kind, from, to]) => {
        const key = counterKey(s, kind, w)
        if (this.counters.has(key)) return undefined
        let pending = this.seeding.get(key)
        if (!pending) {
          pending = this.seed(s, kind, key, from, to).finally(() => this.seeding.delete(key))
          this.seeding.set(key, pending)
        }
        return pending
      }),
    )
  }

  private async seed(s: ScopeLimits, kind: CounterKind, key: string, from: Date, to: Date): Promise<void> {
    await this.recorder.flush()
    const sum = await this.totals.sum(s.scope === 'user' ? { userId: s.id } : { apiKeyId: s.id }, from, to)
    if (!this.counters.has(key)) this.counters.set(key, kind === 'cost' ? sum.costMicros : sum.tokens)
  }

  /** On a new day, forgets counters of past windows and scopes with nothing in flight. */
  private sweep(w: Windows, now: number): void {
    if (w.day === this.currentDay) return
    this.currentDay = w.day
    for (const key of this.counters.keys()) {
      if (!key.endsWith(`|${w.day}`) && !key.endsWith(`|${w.month}`)) this.counters.delete(key)
    }
    for (const [key, state] of this.scopes) {
      if (state.holds.size === 0 && !state.requests.some((t) => t > now - RPM_WINDOW_MS)) this.scopes.delete(key)
    }
  }
}

function counterKey(s: ScopeLimits, kind: CounterKind, w: Windows): string {
  return `${s.scope}:${s.id}|${kind}|${kind === 'tokensDay' ? w.day : w.month}`
}
