import type { SettingsRepository } from '../settings.repository.port.ts'

/** Keeps JSON strings like the database does, so callers get copies and unserialisable values fail the same way. */
export class InMemorySettingsRepository implements SettingsRepository {
  readonly system = new Map<string, { value: string; updatedBy: string | null }>()
  readonly users = new Map<string, Map<string, string>>()

  async getSystem(): Promise<Record<string, unknown>> {
    return Object.fromEntries([...this.system].map(([key, row]) => [key, JSON.parse(row.value)]))
  }

  async setSystem(values: Record<string, unknown>, updatedBy: string | null): Promise<void> {
    const rows = serialise(values)
    for (const [key, value] of rows) this.system.set(key, { value, updatedBy })
  }

  async getUser(userId: string): Promise<Record<string, unknown>> {
    const rows = this.users.get(userId) ?? new Map<string, string>()
    return Object.fromEntries([...rows].map(([key, value]) => [key, JSON.parse(value)]))
  }

  async setUser(userId: string, values: Record<string, unknown>): Promise<void> {
    const rows = serialise(values)
    const stored = this.users.get(userId) ?? new Map<string, string>()
    for (const [key, value] of rows) stored.set(key, value)
    this.users.set(userId, stored)
  }
}

/** Everything is serialised before anything is stored: all keys or none. */
const serialise = (values: Record<string, unknown>): [string, string][] =>
  Object.entries(values).map(([key, value]) => [key, JSON.stringify(value)])
