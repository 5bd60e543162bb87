import { createRoute, z } from '@hono/zod-openapi'
import type { DependencyContainer } from 'tsyringe'
import { adminOnly, requireAdmin } from '../../shared/http/auth-guard.ts'
import { errorResponses, jsonContent } from '../../shared/http/openapi-schemas.ts'
import { createRouter } from '../../shared/http/router.ts'
import { ModelViewSchema, ReplaceModelAccountsBody } from '../models/models.schemas.ts'
import {
  AccountIdParam,
  AccountListQuery,
  AccountListSchema,
  AccountSchema,
  accountInputOf,
  CreateAccountBody,
  FinishOAuthBody,
  ImportAccountsBody,
  ProbeReportSchema,
  StartOAuthBody,
  StartOAuthSchema,
  UpdateAccountBody,
} from './accounts.schemas.ts'
import { CreateAccount } from './create-account.use-case.ts'
import { DeleteAccount } from './delete-account.use-case.ts'
import { FinishOAuth } from './finish-oauth.use-case.ts'
import { ImportAccounts } from './import-accounts.use-case.ts'
import { GetAccount, ListAccounts } from './list-accounts.use-case.ts'
import { ReplaceModelPool } from './replace-model-pool.use-case.ts'
import { ResetAccount } from './reset-account.use-case.ts'
import { StartOAuth } from './start-oauth.use-case.ts'
import { TestAccount } from './test-account.use-case.ts'
import { UpdateAccount } from './update-account.use-case.ts'

const bearer = [{ bearerAuth: [] }]
const tags = ['accounts']
const json = <T>(schema: T) => ({ body: { content: { 'application/json': { schema } }, required: true } })
const ModelId = z.object({ id: z.string().min(1).max(64) })

const list = createRoute({
  method: 'get', path: '/api/admin/accounts', tags, security: bearer,
  middleware: [adminOnly] as const,
  summary: 'Admin: upstream accounts, oldest first (never a secret)',
  request: { query: AccountListQuery },
  responses: { 200: jsonContent(AccountListSchema, 'Accounts'), ...errorResponses(400, 401, 403) },
})
const create = createRoute({
  method: 'post', path: '/api/admin/accounts', tags, security: bearer,
  middleware: [adminOnly] as const,
  summary: 'Admin: add an account with an API key, or import an existing OAuth token set (secrets are write-only)',
  request: json(CreateAccountBody),
  responses: { 201: jsonContent(AccountSchema, 'Created'), ...errorResponses(400, 401, 403) },
})
const importMany = createRoute({
  method: 'post', path: '/api/admin/accounts/import', tags, security: bearer,
  middleware: [adminOnly] as const,
  summary: 'Admin: add up to 100 accounts at once, all or none',
  request: json(ImportAccountsBody),
  responses: { 201: jsonContent(AccountListSchema, 'Created'), ...errorResponses(400, 401, 403) },
})
const get = createRoute({
  method: 'get', path: '/api/admin/accounts/{id}', tags, security: bearer,
  middleware: [adminOnly] as const,
  summary: 'Admin: one upstream account',
  request: { params: AccountIdParam },
  responses: { 200: jsonContent(AccountSchema, 'The account'), ...errorResponses(401, 403, 404) },
})
const update = createRoute({
  method: 'patch', path: '/api/admin/accounts/{id}', tags, security: bearer,
  middleware: [adminOnly] as const,
  summary: "Admin: change an account's name, endpoint, proxy, priority or weight, switch it on or off, or rotate its API key",
  request: { params: AccountIdParam, ...json(UpdateAccountBody) },
  responses: { 200: jsonContent(AccountSchema, 'Updated'), ...errorResponses(400, 401, 403, 404) },
})
const remove = createRoute({
  method: 'delete', path: '/api/admin/accounts/{id}', tags, security: bearer,
  middleware: [adminOnly] as const,
  summary: 'Admin: delete an account (it leaves every model pool)',
  request: { params: AccountIdParam },
  responses: { 204: { description: 'Deleted' }, ...errorResponses(401, 403, 404) },
})
const reset = createRoute({
  method: 'post', path: '/api/admin/accounts/{id}/reset', tags, security: bearer,
  middleware: [adminOnly] as const,
  summary: 'Admin: back to active (clears the status reason and the live cooldown)',
  request: { params: AccountIdParam },
  responses: { 200: jsonContent(AccountSchema, 'Reset'), ...errorResponses(401, 403, 404) },
})
const test = createRoute({
  method: 'post', path: '/api/admin/accounts/{id}/test', tags, security: bearer,
  middleware: [adminOnly] as const,
  summary: "Admin: check the account's proxy and whether the provider accepts its credential, separately",
  request: { params: AccountIdParam },
  responses: { 200: jsonContent(ProbeReportSchema, 'Probe report'), ...errorResponses(401, 403, 404) },
})
const authorize = createRoute({
  method: 'post', path: '/api/admin/accounts/oauth/authorize', tags, security: bearer,
  middleware: [adminOnly] as const,
  summary: 'Admin: start an OAuth sign-in (PKCE) for a Claude or Gemini subscription account',
  request: json(StartOAuthBody),
  responses: { 200: jsonContent(StartOAuthSchema, 'Open authorizeUrl, then send the code to /exchange'), ...errorResponses(400, 401, 403) },
})
const exchange = createRoute({
  method: 'post', path: '/api/admin/accounts/oauth/exchange', tags, security: bearer,
  middleware: [adminOnly] as const,
  summary: 'Admin: finish an OAuth sign-in with the pasted code (or callback URL) and create the account',
  request: json(FinishOAuthBody),
  responses: {
    201: jsonContent(AccountSchema, 'Created'),
    ...errorResponses(400, 401, 403, 404, 502, 504),
  },
})
const replacePool = createRoute({
  method: 'put', path: '/api/models/system/{id}/accounts', tags: ['models', 'accounts'], security: bearer,
  middleware: [adminOnly] as const,
  summary: "Admin: replace a system model's pool of upstream accounts (of its provider kind)",
  request: { params: ModelId, ...json(ReplaceModelAccountsBody) },
  responses: { 200: jsonContent(ModelViewSchema, 'The model with its accountIds'), ...errorResponses(400, 401, 403, 404) },
})

/** The admin API of upstream accounts (/api/admin/accounts...) and of system models' account pools. */
export function accountsRoutes(container: DependencyContainer) {
  const listAccounts = container.resolve(ListAccounts)
  const getAccount = container.resolve(GetAccount)
  const createAccount = container.resolve(CreateAccount)
  const importAccounts = container.resolve(ImportAccounts)
  const updateAccount = container.resolve(UpdateAccount)
  const deleteAccount = container.resolve(DeleteAccount)
  const resetAccount = container.resolve(ResetAccount)
  const testAccount = container.resolve(TestAccount)
  const startOAuth = container.resolve(StartOAuth)
  const finishOAuth = container.resolve(FinishOAuth)
  const replaceModelPool = container.resolve(ReplaceModelPool)

  return createRouter()
    .openapi(list, async (c) => {
      requireAdmin(c)
      return c.json(await listAccounts.execute(c.req.valid('query')), 200)
    })
    .openapi(create, async (c) => c.json(await createAccount.execute({ actor: requireAdmin(c), account: accountInputOf(c.req.valid('json')) }), 201))
    .openapi(importMany, async (c) => {
      const accounts = c.req.valid('json').accounts.map(accountInputOf)
      return c.json(await importAccounts.execute({ actor: requireAdmin(c), accounts }), 201)
    })
    .openapi(authorize, async (c) => c.json(await startOAuth.execute({ actor: requireAdmin(c), ...c.req.valid('json') }), 200))
    .openapi(exchange, async (c) => c.json(await finishOAuth.execute({ actor: requireAdmin(c), ...c.req.valid('json') }), 201))
    .openapi(get, async (c) => {
      requireAdmin(c)
      return c.json(await getAccount.execute({ accountId: c.req.valid('param').id }), 200)
    })
    .openapi(update, async (c) => {
      const input = { actor: requireAdmin(c), accountId: c.req.valid('param').id, changes: c.req.valid('json') }
      return c.json(await updateAccount.execute(input), 200)
    })
    .openapi(remove, async (c) => {
      await deleteAccount.execute({ actor: requireAdmin(c), accountId: c.req.valid('param').id })
      return c.body(null, 204)
    })
    .openapi(reset, async (c) => c.json(await resetAccount.execute({ actor: requireAdmin(c), accountId: c.req.valid('param').id }), 200))
    .openapi(test, async (c) => {
      requireAdmin(c)
      return c.json(await testAccount.execute({ accountId: c.req.valid('param').id }), 200)
    })
    .openapi(replacePool, async (c) => {
      const input = { actor: requireAdmin(c), configId: c.req.valid('param').id, accountIds: c.req.valid('json').accountIds }
      return c.json(await replaceModelPool.execute(input), 200)
    })
}
