// fast-check arbitraries from the app's own OpenAPI (JSON Schema) request schemas: mostly valid
// values (to get past validation into the use cases), and mutations of them (a required field
// dropped, a field of the wrong type, an unknown field, something that is not an object at all).
import fc, { type Arbitrary } from 'fast-check'

export type Schema = Record<string, any>

const weirdStrings = fc.constantFrom('', ' ', '\u0000', '../../etc/passwd', '%00', '${7*7}', "' OR 1=1 --", '<script>x</script>', 'a'.repeat(5000), '\ud800', '😀', 'null', '-1', '1e309')
const anyJson = fc.jsonValue({ maxDepth: 3 })

export class SchemaArbitraries {
  constructor(private readonly components: Record<string, Schema>) {}

  private resolve(schema: Schema): Schema {
    let current = schema
    for (let depth = 0; current.$ref && depth < 10; depth++) current = this.components[String(current.$ref).split('/').pop()!] ?? {}
    return current
  }

  /** Values the schema accepts (as far as bounds go), with a little noise in strings. */
  valid(input: Schema, depth = 0): Arbitrary<unknown> {
    const schema = this.resolve(input)
    if (depth > 6) return fc.constant(null)
    const options = schema.anyOf ?? schema.oneOf
    if (options) return fc.oneof(...options.map((s: Schema) => this.valid(s, depth + 1)))
    if (schema.enum) return fc.constantFrom(...schema.enum)
    if ('const' in schema) return fc.constant(schema.const)
    const types: string[] = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : []
    if (schema.nullable) types.push('null')
    if (types.length > 1) return fc.oneof(...types.map((type) => this.valid({ ...schema, type, nullable: false }, depth + 1)))
    switch (types[0]) {
      case 'string':
        return this.string(schema)
      case 'integer':
        return fc.integer({ min: schema.minimum ?? -1_000_000, max: schema.maximum ?? 1_000_000 })
      case 'number':
        return fc.double({ min: schema.minimum ?? -1e6, max: schema.maximum ?? 1e6, noNaN: true })
      case 'boolean':
        return fc.boolean()
      case 'null':
        return fc.constant(null)
      case 'array':
        return fc.array(this.valid(schema.items ?? {}, depth + 1), { minLength: schema.minItems ?? 0, maxLength: Math.min(schema.maxItems ?? 4, 4) })
      case 'object':
      default:
        if (!schema.properties) return types[0] === 'object' ? fc.dictionary(fc.string({ maxLength: 8 }), anyJson, { maxKeys: 3 }) : anyJson
        return this.object(schema, depth)
    }
  }

  /** A body: valid most of the time, otherwise one of the ways clients get it wrong. */
  body(schema: Schema): Arbitrary<unknown> {
    const valid = this.valid(schema)
    return fc.oneof(
      { weight: 6, arbitrary: valid },
      { weight: 1, arbitrary: anyJson },
      { weight: 2, arbitrary: fc.tuple(valid, fc.string({ maxLength: 12 }), anyJson).map(([v, key, extra]) => (isObject(v) ? { ...v, [key || 'unknown']: extra } : v)) },
      { weight: 2, arbitrary: fc.tuple(valid, fc.nat(), anyJson).map(([v, n, replacement]) => replaceOne(v, n, replacement)) },
      { weight: 1, arbitrary: fc.tuple(valid, fc.nat()).map(([v, n]) => dropOne(v, n)) },
    )
  }

  private string(schema: Schema): Arbitrary<string> {
    const min = schema.minLength ?? 0
    const max = Math.min(schema.maxLength ?? 64, 200)
    const shaped = schema.format === 'date-time' ? fc.date({ noInvalidDate: true }).map((d) => d.toISOString()) : fc.string({ minLength: min, maxLength: Math.max(min, max), unit: 'grapheme' })
    return fc.oneof({ weight: 8, arbitrary: shaped }, { weight: 1, arbitrary: weirdStrings })
  }

  private object(schema: Schema, depth: number): Arbitrary<unknown> {
    const required = new Set<string>(schema.required ?? [])
    const entries = Object.entries(schema.properties as Record<string, Schema>)
    const model = Object.fromEntries(entries.map(([key, s]) => [key, this.valid(s, depth + 1)]))
    return fc.record(model, { requiredKeys: entries.map(([key]) => key).filter((key) => required.has(key)) })
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v)

function replaceOne(value: unknown, n: number, replacement: unknown): unknown {
  if (!isObject(value)) return replacement
  const keys = Object.keys(value)
  if (!keys.length) return replacement
  return { ...value, [keys[n % keys.length]!]: replacement }
}

function dropOne(value: unknown, n: number): unknown {
  if (!isObject(value)) return value
  const keys = Object.keys(value)
  if (!keys.length) return value
  const { [keys[n % keys.length]!]: _dropped, ...rest } = value
  return rest
}

const encodable = (s: string) => {
  try {
    encodeURIComponent(s)
    return s.length > 0
  } catch {
    return false // a lone surrogate cannot be put in a URL at all
  }
}

/** A path or query parameter: the kind of thing that could reach a lookup by id. */
export const paramValue: Arbitrary<string> = fc.oneof(
  fc.uuid(),
  fc.string({ minLength: 1, maxLength: 40 }),
  weirdStrings.filter(encodable),
  fc.integer().map(String),
)
