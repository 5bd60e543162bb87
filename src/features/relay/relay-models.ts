import type { ModelConfig } from '../models/model-config.ts'
import { AmbiguousModel } from './relay.errors.ts'

/**
 * The names a relay client may put in `model`, tried in this order among the models the key may use:
 *   1. the model config id;
 *   2. the alias (a personal model's before a system model's of the same alias);
 *   3. the provider's model id (`gpt-4o-mini`), when exactly one of those models has it;
 *   4. a slug of the display name (`GPT-4o mini (EU)` -> `gpt-4o-mini-eu`), when exactly one has it.
 * A provider model id or slug shared by several models names none of them: a 400 that lists the
 * names that do tell them apart. /v1/models lists each model by the first of alias, provider model
 * id, slug that leads back to it, else by its config id, so every listed name is accepted.
 */

/** Lower-case letters, digits, '.', '_' with every other run of characters as one '-'; '' when nothing is left. */
export function slugOf(displayName: string): string {
  return displayName
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9._]+/g, '-')
    .replace(/^[-.]+|[-.]+$/g, '')
}

/** May a key restricted to `allowed` (ids or aliases; empty = no restriction) use this model? */
export function keyAllows(allowed: readonly string[], config: ModelConfig): boolean {
  if (allowed.length === 0) return true
  return allowed.includes(config.id) || (config.alias !== null && allowed.includes(config.alias))
}

/** The models a key may use, among those its owner may use. */
export const modelsForKey = (usable: readonly ModelConfig[], allowed: readonly string[]): ModelConfig[] =>
  usable.filter((c) => keyAllows(allowed, c))

type Match = { config: ModelConfig } | { ambiguous: ModelConfig[] } | undefined

function group(models: readonly ModelConfig[], nameOf: (c: ModelConfig) => string): Map<string, ModelConfig[]> {
  const groups = new Map<string, ModelConfig[]>()
  for (const c of models) {
    const name = nameOf(c)
    if (!name) continue
    const list = groups.get(name)
    if (list) list.push(c)
    else groups.set(name, [c])
  }
  return groups
}

/** Every name of the key's models, indexed once (a list of N models costs O(N), not O(N^2)). */
class ModelNames {
  private readonly byId: Map<string, ModelConfig>
  private readonly byAlias = new Map<string, ModelConfig>()
  // Built on first use: a request naming a model by id or alias (the usual case) needs neither.
  private byModelId: Map<string, ModelConfig[]> | undefined
  private bySlug: Map<string, ModelConfig[]> | undefined

  constructor(readonly candidates: readonly ModelConfig[]) {
    this.byId = new Map(candidates.map((c) => [c.id, c]))
    for (const c of candidates) {
      if (c.alias === null) continue
      const seen = this.byAlias.get(c.alias)
      if (!seen || (seen.scope !== 'personal' && c.scope === 'personal')) this.byAlias.set(c.alias, c)
    }
  }

  /** What `name` means, by the rules above. */
  match(name: string): Match {
    const exact = this.byId.get(name) ?? this.byAlias.get(name)
    if (exact) return { config: exact }
    const lazy = [
      () => (this.byModelId ??= group(this.candidates, (c) => c.modelId)),
      () => (this.bySlug ??= group(this.candidates, (c) => slugOf(c.displayName))),
    ]
    for (const groups of lazy) {
      const found = groups().get(name)
      if (found?.length === 1) return { config: found[0]! }
      if (found) return { ambiguous: found }
    }
    return undefined
  }

  /** The first of alias, provider model id, slug that leads back to the model; else its id. */
  nameOf(config: ModelConfig): string {
    for (const name of [config.alias, config.modelId, slugOf(config.displayName)]) {
      if (!name) continue
      const found = this.match(name)
      if (found && 'config' in found && found.config.id === config.id) return name
    }
    return config.id
  }
}

/** The key's models, each with the name it is listed under (in the order given). */
export function namedModels(usable: readonly ModelConfig[], allowed: readonly string[]): Array<{ name: string; config: ModelConfig }> {
  const names = new ModelNames(modelsForKey(usable, allowed))
  return names.candidates.map((config) => ({ name: names.nameOf(config), config }))
}

/**
 * The model a request names, by any accepted name; undefined when it names none the key may use
 * (unknown, not the owner's, outside the key's list: all read the same). Throws AmbiguousModel for
 * a provider model id or slug that several of the key's models share.
 */
export function pickModel(usable: readonly ModelConfig[], allowed: readonly string[], name: string): ModelConfig | undefined {
  const names = new ModelNames(modelsForKey(usable, allowed))
  const found = names.match(name)
  if (found && 'ambiguous' in found) throw new AmbiguousModel(name, found.ambiguous.map((c) => names.nameOf(c)))
  return found?.config
}

/** The name a model is listed under for a key. */
export function publicModelName(usable: readonly ModelConfig[], allowed: readonly string[], config: ModelConfig): string {
  return new ModelNames(modelsForKey(usable, allowed)).nameOf(config)
}
