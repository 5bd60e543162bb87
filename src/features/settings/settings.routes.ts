import { createRoute } from '@hono/zod-openapi'
import type { DependencyContainer } from 'tsyringe'
import { adminOnly, requireActor, requireAdmin, signedIn } from '../../shared/http/auth-guard.ts'
import { errorResponses, jsonContent } from '../../shared/http/openapi-schemas.ts'
import { createRouter } from '../../shared/http/router.ts'
import { GetEffectiveSettings } from './get-effective-settings.use-case.ts'
import { PersonalSettingsPatchBody, SettingsViewBody, SystemSettingsPatchBody } from './settings.schemas.ts'
import { UpdateMySettings } from './update-my-settings.use-case.ts'
import { UpdateSystemSettings } from './update-system-settings.use-case.ts'

const bearer = [{ bearerAuth: [] }]

const getSettings = createRoute({
  method: 'get',
  path: '/api/settings',
  tags: ['settings'],
  summary: 'System settings, my own settings and the effective result',
  security: bearer,
  middleware: [signedIn] as const,
  responses: { 200: jsonContent(SettingsViewBody, 'Settings'), ...errorResponses(401) },
})

const patchSystem = createRoute({
  method: 'patch',
  path: '/api/settings/system',
  tags: ['settings'],
  summary: 'Change system settings (administrators)',
  security: bearer,
  middleware: [adminOnly] as const,
  request: { body: { required: true, content: { 'application/json': { schema: SystemSettingsPatchBody } } } },
  responses: { 200: jsonContent(SettingsViewBody, 'Settings after the change'), ...errorResponses(400, 401, 403) },
})

const patchMine = createRoute({
  method: 'patch',
  path: '/api/settings/me',
  tags: ['settings'],
  summary: 'Change my own settings',
  security: bearer,
  middleware: [signedIn] as const,
  request: { body: { required: true, content: { 'application/json': { schema: PersonalSettingsPatchBody } } } },
  responses: { 200: jsonContent(SettingsViewBody, 'Settings after the change'), ...errorResponses(400, 401) },
})

export function settingsRoutes(container: DependencyContainer) {
  const getEffective = container.resolve(GetEffectiveSettings)
  const updateSystem = container.resolve(UpdateSystemSettings)
  const updateMine = container.resolve(UpdateMySettings)
  return createRouter()
    .openapi(getSettings, async (c) => c.json(await getEffective.execute({ actor: requireActor(c) }), 200))
    .openapi(patchSystem, async (c) => {
      const actor = requireAdmin(c)
      return c.json(await updateSystem.execute({ actor, patch: c.req.valid('json') }), 200)
    })
    .openapi(patchMine, async (c) => {
      const actor = requireActor(c)
      return c.json(await updateMine.execute({ actor, patch: c.req.valid('json') }), 200)
    })
}
