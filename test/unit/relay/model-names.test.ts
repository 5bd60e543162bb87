import { describe, expect, it } from 'vitest'
import type { ModelConfig } from '../../../src/features/models/model-config.ts'
import { namedModels, pickModel, slugOf } from '../../../src/features/relay/relay-models.ts'

const model = (id: string, fields: Partial<ModelConfig>): ModelConfig => ({
  id, ownerId: null, scope: 'system', providerKind: 'openai', baseUrl: 'https://api.openai.com/v1', modelId: id, displayName: id, alias: null,
  contextWindow: 1000, maxOutputTokens: 100, defaultParams: {}, enabled: true, visibility: 'all', allowedUserIds: [],
  createdAt: new Date(0), updatedAt: new Date(0), ...fields,
})

describe('slugOf', () => {
  it.each([
    ['GPT-4o mini (EU)', 'gpt-4o-mini-eu'],
    ['Gemini 2.5 Flash', 'gemini-2.5-flash'],
    ['  Café   Crème! ', 'cafe-creme'],
    ['深度求索', ''],
    ['snake_case.v2.', 'snake_case.v2'],
  ])('%s -> %s', (name, slug) => expect(slugOf(name)).toBe(slug))
})

describe('model names', () => {
  it('never lists a provider model id that another model claims as its alias', () => {
    const aliased = model('a', { alias: 'gpt-4o', modelId: 'gpt-4o-2024' })
    const plain = model('b', { modelId: 'gpt-4o', displayName: 'Plain GPT' })
    expect(namedModels([aliased, plain], []).map((m) => m.name)).toEqual(['gpt-4o', 'plain-gpt'])
    expect(pickModel([aliased, plain], [], 'gpt-4o')?.id).toBe('a')
    expect(pickModel([aliased, plain], [], 'plain-gpt')?.id).toBe('b')
  })

  it('prefers a personal alias over a system one, and a config id over everything', () => {
    const mine = model('mine', { alias: 'fast', ownerId: 'u1', scope: 'personal' })
    const theirs = model('theirs', { alias: 'fast', modelId: 'mine' })
    expect(pickModel([theirs, mine], [], 'fast')?.id).toBe('mine')
    expect(pickModel([theirs, mine], [], 'mine')?.id).toBe('mine')
    expect(namedModels([theirs, mine], []).map((m) => m.name)).toEqual(['theirs', 'fast'])
  })

  it('throws for a shared name and reads names outside the key as missing', () => {
    const one = model('one', { modelId: 'm', displayName: 'One' })
    const two = model('two', { modelId: 'm', displayName: 'Two' })
    expect(() => pickModel([one, two], [], 'm')).toThrow('use one of: `one`, `two`')
    expect(pickModel([one, two], ['two'], 'm')?.id).toBe('two')
    expect(pickModel([one, two], ['two'], 'one')).toBeUndefined()
  })
})
