import type { ModelConfig } from '../models/model-config.ts'

/** The name a relay client uses for a model: its alias when it has one, else the model config id. */
export const publicModelId = (config: ModelConfig): string => config.alias ?? config.id

/** May a key restricted to `allowed` (ids or aliases; empty = no restriction) use this model? */
export function keyAllows(allowed: readonly string[], config: ModelConfig): boolean {
  if (allowed.length === 0) return true
  return allowed.includes(config.id) || (config.alias !== null && allowed.includes(config.alias))
}

/** The models a key may use, among those its owner may use. */
export const modelsForKey = (usable: readonly ModelConfig[], allowed: readonly string[]): ModelConfig[] =>
  usable.filter((c) => keyAllows(allowed, c))

/**
 * The model a request names, by id or alias. An alias shared by a personal and a system model means
 * the owner's own model; anything the key may not use reads as missing.
 */
export function pickModel(usable: readonly ModelConfig[], allowed: readonly string[], name: string): ModelConfig | undefined {
  const candidates = modelsForKey(usable, allowed)
  return (
    candidates.find((c) => c.id === name) ??
    candidates.find((c) => c.alias === name && c.scope === 'personal') ??
    candidates.find((c) => c.alias === name)
  )
}
