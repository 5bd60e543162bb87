/**
 * Gemini's `Schema` (an OpenAPI 3.0 subset: upper-case `type`, `nullable`) as JSON Schema, which
 * is what the normalised request carries (OpenAI parameters, Anthropic input_schema, Gemini
 * parametersJsonSchema all take it).
 */

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

// Gemini-only hints with no JSON Schema meaning.
const DROPPED = new Set(['propertyOrdering'])

export function jsonSchemaOf(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(jsonSchemaOf)
  if (!isRecord(schema)) return schema
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(schema)) {
    if (DROPPED.has(key) || key === 'nullable') continue
    if (key === 'type' && typeof value === 'string') out.type = value.toLowerCase()
    else if (key === 'properties' && isRecord(value)) out.properties = Object.fromEntries(Object.entries(value).map(([name, sub]) => [name, jsonSchemaOf(sub)]))
    else if (key === 'items' || key === 'anyOf') out[key] = jsonSchemaOf(value)
    else out[key] = value
  }
  if (schema.nullable === true) {
    if (typeof out.type === 'string') out.type = [out.type, 'null']
    else out.anyOf = [...(Array.isArray(out.anyOf) ? out.anyOf : []), { type: 'null' }]
  }
  return out
}
