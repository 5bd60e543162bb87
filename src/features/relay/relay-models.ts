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

/** What `name` means among `candidates` (the key's models), by the rules above. */
function match(candidates: readonly ModelConfig[], name: string): Match {
  const byId = candidates.find((c) => c.id === name)
  if (byId) return { config: byId }
  const byAlias = candidates.find((c) => c.alias === name && c.scope === 'personal') ?? candidates.find((c) => c.alias === name)
  if (byAlias) return { config: byAlias }
  for (const nameOf of [(c: ModelConfig) => c.modelId, (c: ModelConfig) => slugOf(c.displayName)]) {
    const found = candidates.filter((c) => nameOf(c) === name)
    if (found.length === 1) return { config: found[0]! }
    if (found.length > 1) return { ambiguous: found }
  }
  return undefined
}

/** The name a model is listed under among `candidates`: the first of alias, provider model id, slug that leads back to it; else its id. */
export function publicName(candidates: readonly ModelConfig[], config: ModelConfig): string {
  for (const name of [config.alias, config.modelId, slugOf(config.displayName)]) {
    if (!name) continue
    const found = match(candidates, name)
    if (found && 'config' in found && found.config.id === config.id) return name
  }
  return config.id
}

/** The key's models, each with the name it is listed under (in the order given). */
export function namedModels(usable: readonly ModelConfig[], allowed: readonly string[]): Array<{ name: string; config: ModelConfig }> {
  const candidates = modelsForKey(usable, allowed)
  return candidates.map((config) => ({ name: publicName(candidates, config), config }))
}

/**
 * The model a request names, by any accepted name; undefined when it names none the key may use
 * (unknown, not the owner's, outside the key's list: all read the same). Throws AmbiguousModel for
 * a provider model id or slug that several of the key's models share.
 */
export function pickModel(usable: readonly ModelConfig[], allowed: readonly string[], name: string): ModelConfig | undefined {
  const candidates = modelsForKey(usable, allowed)
  const found = match(candidates, name)
  if (found && 'ambiguous' in found) throw new AmbiguousModel(name, found.ambiguous.map((c) => publicName(candidates, c)))
  return found?.config
}

/** The name a model is listed under for a key (see publicName). */
export function publicModelName(usable: readonly ModelConfig[], allowed: readonly string[], config: ModelConfig): string {
  return publicName(modelsForKey(usable, allowed), config)
}
