import type { Actor } from '../../../src/shared/actor.ts'
import { InMemoryAuditLog } from '../../../src/features/audit/testing/in-memory-audit-log.ts'
import { StaticModelCatalog } from '../../../src/features/models/testing/static-model-catalog.ts'
import { InProcessSettingsChangeBus } from '../../../src/features/settings/adapters/in-process-settings-change-bus.ts'
import { CachedSystemSettings } from '../../../src/features/settings/cached-system-settings.ts'
import { GetEffectiveSettings } from '../../../src/features/settings/get-effective-settings.use-case.ts'
import { InMemorySettingsRepository } from '../../../src/features/settings/testing/in-memory-settings.repository.ts'
import { UpdateMySettings } from '../../../src/features/settings/update-my-settings.use-case.ts'
import { UpdateSystemSettings } from '../../../src/features/settings/update-system-settings.use-case.ts'

export const admin: Actor = { userId: 'admin-1', username: 'root', role: 'ADMIN' }
export const alice: Actor = { userId: 'user-1', username: 'alice', role: 'USER' }

/** The settings slice wired by hand over fakes, as one replica. */
export function settingsHarness() {
  const repository = new InMemorySettingsRepository()
  const bus = new InProcessSettingsChangeBus()
  const audit = new InMemoryAuditLog()
  const reader = new CachedSystemSettings(repository, bus, 'multi-user')
  // System models everyone may use, one only admins may use, and personal models of alice and of someone else.
  const models = new StaticModelCatalog()
  for (const id of ['everyone', 'house']) models.add({ id })
  models.add({ id: 'admins-only', visibility: 'admins' })
  for (const id of ['m', 'm-1', 'mine']) models.add({ id, ownerId: alice.userId })
  models.add({ id: 'bobs', ownerId: 'user-2' })
  return {
    models,
    repository,
    bus,
    audit,
    reader,
    getEffective: new GetEffectiveSettings(reader, repository),
    updateSystem: new UpdateSystemSettings(repository, bus, reader, audit, models),
    updateMine: new UpdateMySettings(repository, bus, reader, models),
  }
}
