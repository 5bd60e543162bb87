import type { SettingsChange, SettingsChangeBus, SettingsChangeListener } from '../settings-change-bus.port.ts'

/**
 * One process, one replica. A Redis-backed bus will publish to a channel and also call the local
 * listeners directly, so the port's "local subscribers are called before publish resolves" holds.
 */
export class InProcessSettingsChangeBus implements SettingsChangeBus {
  private readonly listeners = new Set<SettingsChangeListener>()

  async publish(change: SettingsChange): Promise<void> {
    const failures: unknown[] = []
    // A copy, so a listener may unsubscribe while being called; one failing listener does not skip the rest.
    for (const listener of [...this.listeners]) {
      try {
        listener(change)
      } catch (err) {
        failures.push(err)
      }
    }
    if (failures.length) throw new AggregateError(failures, 'A settings change listener failed')
  }

  subscribe(listener: SettingsChangeListener): () => void {
    // Wrapped so the same function subscribed twice gets two independent subscriptions.
    const entry: SettingsChangeListener = (change) => listener(change)
    this.listeners.add(entry)
    return () => void this.listeners.delete(entry)
  }
}
