import { beforeEach, describe, expect, it } from 'vitest'
import { API_KEY, accountsKit, root, type AccountsKit } from './accounts-kit.ts'

const modelFields = (over: Record<string, unknown> = {}) => ({ providerKind: 'anthropic' as const, displayName: 'Claude', modelId: 'claude-sonnet-4-5', ...over })

describe('account pools of system models', () => {
  let k: AccountsKit
  let a: string
  let b: string
  let openai: string
  beforeEach(async () => {
    k = await accountsKit()
    const make = async (name: string, providerKind: 'anthropic' | 'openai') =>
      (await k.create.execute({ actor: root, account: { authType: 'api_key', name, providerKind, apiKey: API_KEY } })).id
    a = await make('a', 'anthropic')
    b = await make('b', 'anthropic')
    openai = await make('o', 'openai')
  })

  it('a system model is created with its accounts (repeats dropped) and shows them', async () => {
    const view = await k.createModel.execute({ actor: root, scope: 'system', fields: modelFields(), accountIds: [a, b, a] })
    expect(view.accountIds).toEqual([a, b])
    expect((await k.repo.accountsForModel(view.id)).map((x) => x.id)).toEqual([a, b])
    expect((await k.get.execute({ accountId: a })).models).toEqual([view.id])
  })

  it('a model without accounts (and with a key) is created as before', async () => {
    const view = await k.createModel.execute({ actor: root, scope: 'system', fields: modelFields(), apiKey: API_KEY })
    expect(view).toMatchObject({ hasApiKey: true, accountIds: [] })
  })

  it('refuses unknown ids and accounts of another provider kind, naming them, and creates no model', async () => {
    const error = await k.createModel.execute({ actor: root, scope: 'system', fields: modelFields(), accountIds: [a, openai, 'ghost'] }).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'VALIDATION_FAILED', details: [expect.objectContaining({ path: 'accountIds', accountIds: [openai, 'ghost'] })] })
    expect((error as Error).message).toContain('ghost')
    expect(await k.models.listForUser(root.userId)).toEqual([])
  })

  it('PUT replaces the pool; [] empties it; bad ids change nothing', async () => {
    const model = await k.createModel.execute({ actor: root, scope: 'system', fields: modelFields(), accountIds: [a] })
    expect((await k.replacePool.execute({ actor: root, configId: model.id, accountIds: [b, b] })).accountIds).toEqual([b])
    await expect(k.replacePool.execute({ actor: root, configId: model.id, accountIds: [a, openai] })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' })
    expect((await k.repo.accountsForModel(model.id)).map((x) => x.id)).toEqual([b])
    expect((await k.replacePool.execute({ actor: root, configId: model.id, accountIds: [] })).accountIds).toEqual([])
    expect(k.audit.records.filter((r) => r.action === 'accounts.pool_replaced').map((r) => r.metadata)).toMatchObject([
      { before: [a], after: [b] },
      { before: [b], after: [] },
    ])
  })

  it('PUT 404s an unknown or personal model', async () => {
    await expect(k.replacePool.execute({ actor: root, configId: 'nope', accountIds: [] })).rejects.toMatchObject({ code: 'NOT_FOUND' })
    const personal = await k.createModel.execute({ actor: root, scope: 'personal', fields: modelFields() })
    await expect(k.replacePool.execute({ actor: root, configId: personal.id, accountIds: [a] })).rejects.toMatchObject({ code: 'NOT_FOUND' })
  })

  it('a personal model takes no accounts', async () => {
    await expect(k.createModel.execute({ actor: root, scope: 'personal', fields: modelFields(), accountIds: [a] })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' })
  })
})
