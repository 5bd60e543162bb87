import { resolveSystemSettings, type SystemSettingKey, type SystemSettings } from '../../settings/settings.ts'
import type { SystemSettingsReader } from '../../settings/system-settings-reader.port.ts'
import type { Limits, UserLimitsOverride } from '../limits.ts'
import type { UsageEntry, UsageRecorder } from '../usage-recorder.port.ts'
import type { UsageBucket, UsageDimension, UsageFilter, UsageStats } from '../usage-stats.port.ts'
import type { UsageOwner, UsageTotals } from '../usage-totals.port.ts'
import type { UserLimitsStore } from '../user-limits.store.port.ts'
import { costMicros } from '../price-table.ts'

export class InMemoryUserLimitsStore implements UserLimitsStore {
  readonly overrides = new Map<string, UserLimitsOverride>()
  reads = 0

  addUser(id: string, override: UserLimitsOverride = {}): void {
    this.overrides.set(id, override)
  }
  async get(userId: string) {
    this.reads++
    const o = this.overrides.get(userId)
    return o ? { ...o } : null
  }
  async set(userId: string, override: UserLimitsOverride) {
    if (!this.overrides.has(userId)) return false
    this.overrides.set(userId, { ...override })
    return true
  }
}

/** System settings with a chosen defaultUserQuota (the rest are the defaults). */
export class StaticSettings implements SystemSettingsReader {
  constructor(public defaultUserQuota: Limits = {}) {}
  async all(): Promise<SystemSettings> {
    return { ...resolveSystemSettings({}, 'multi-user'), defaultUserQuota: this.defaultUserQuota }
  }
  async get<K extends SystemSettingKey>(key: K): Promise<SystemSettings[K]> {
    return (await this.all())[key]
  }
}

/** Records in memory and answers totals and statistics from them, like the Prisma adapters. */
export class InMemoryUsageLog implements UsageRecorder, UsageTotals, UsageStats {
  readonly entries: UsageEntry[] = []
  /** Names for labels, as the database's User and ApiKey tables would give them. */
  readonly usernames = new Map<string, string>()
  readonly keyNames = new Map<string, string>()
  flushes = 0

  record(entry: UsageEntry): void {
    this.entries.push({ ...entry, costMicros: entry.costMicros ?? costMicros(entry.modelId, entry) })
  }
  async flush(): Promise<void> {
    this.flushes++
  }

  async sum(owner: UsageOwner, from: Date, to: Date) {
    const matching = this.entries.filter(
      (e) => ('userId' in owner ? e.userId === owner.userId : e.apiKeyId === owner.apiKeyId) && e.at >= from && e.at < to,
    )
    return {
      tokens: matching.reduce((n, e) => n + e.inputTokens + e.outputTokens, 0),
      costMicros: matching.reduce((n, e) => n + (e.costMicros ?? 0), 0),
    }
  }

  async totals(filter: UsageFilter, by: UsageDimension): Promise<UsageBucket[]> {
    const groups = new Map<string, UsageBucket>()
    for (const e of this.entries) {
      if (e.at < filter.from || e.at >= filter.to || (filter.userId && e.userId !== filter.userId)) continue
      const key = { day: e.at.toISOString().slice(0, 10), model: e.modelId, user: e.userId, key: e.apiKeyId ?? '' }[by]
      const label = by === 'user' ? this.usernames.get(key) : by === 'key' ? this.keyNames.get(key) : undefined
      const b = groups.get(key) ?? { key, ...(label === undefined ? {} : { label }), requests: 0, inputTokens: 0, outputTokens: 0, cachedTokens: 0, costMicros: 0, errors: 0 }
      b.requests++
      b.inputTokens += e.inputTokens
      b.outputTokens += e.outputTokens
      b.cachedTokens += e.cachedTokens
      b.costMicros += e.costMicros ?? 0
      if (e.status === 'error') b.errors++
      groups.set(key, b)
    }
    return [...groups.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
  }
}

export function usageEntry(over: Partial<UsageEntry> = {}): UsageEntry {
  return {
    userId: 'u1',
    apiKeyId: null,
    modelConfigId: null,
    modelId: 'gpt-4o-mini',
    provider: 'openai',
    source: 'chat',
    inputTokens: 10,
    outputTokens: 5,
    cachedTokens: 0,
    reasoningTokens: 0,
    estimated: false,
    latencyMs: 100,
    ttftMs: 20,
    status: 'complete',
    at: new Date('2026-03-10T10:00:00.000Z'),
    ...over,
  }
}
