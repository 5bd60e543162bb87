// Drives Prisma's WASM schema engine directly with driver adapters: the Prisma 7 CLI cannot run
// `migrate` offline (see docs/environment.md). The package is internal and unstable: keep it pinned
// exactly, and keep test/integration/database/schema-engine.smoke.test.ts passing.
import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import path from 'node:path'
import * as glue from '@prisma/schema-engine-wasm/schema_engine_bg'
import type { MigrationList, SchemaEngine } from '@prisma/schema-engine-wasm'
import {
  bindMigrationAwareSqlAdapterFactory,
  type SqlDriverAdapter,
  type SqlMigrationAwareDriverAdapterFactory,
  type SqlQuery,
  type Transaction,
} from '@prisma/driver-adapter-utils'

export type { SchemaEngine, MigrationList }
export type Provider = 'sqlite' | 'postgres'

type Imports = Record<string, unknown>
// The project's lib has no WebAssembly typings (no DOM); this is the little it needs.
interface WasmApi {
  compile(bytes: Uint8Array): Promise<object>
  Instance: new (module: object, imports: Record<string, Imports>) => { exports: Imports & { __wbindgen_start(): void } }
}
const { WebAssembly: wasm } = globalThis as unknown as { WebAssembly: WasmApi }

/**
 * The engine arms 10 s timeouts it never clears; they would keep the process alive after the work
 * is done. Track them, and unref the leftovers when a session closes.
 */
const engineTimers = new Set<NodeJS.Timeout>()
function withTrackedTimers(imports: Imports): Imports {
  const name = Object.keys(imports).find((key) => key.startsWith('__wbg_setTimeout_'))
  if (!name) throw new Error('schema-engine-wasm: setTimeout import not found (engine upgraded?)')
  const setEngineTimeout = (callback: () => void, ms: number) => {
    const timer = setTimeout(() => {
      engineTimers.delete(timer)
      callback()
    }, ms >>> 0)
    engineTimers.add(timer)
    return timer
  }
  return { ...imports, [name]: setEngineTimeout }
}

let engineClass: Promise<typeof SchemaEngine> | undefined

/** Node 20 cannot import the package's .wasm, so instantiate it by hand (once per process). */
export function loadSchemaEngine(): Promise<typeof SchemaEngine> {
  engineClass ??= (async () => {
    const entry = createRequire(import.meta.url).resolve('@prisma/schema-engine-wasm')
    const bytes = await readFile(path.join(path.dirname(entry), 'schema_engine_bg.wasm'))
    const instance = new wasm.Instance(await wasm.compile(bytes), { './schema_engine_bg.js': withTrackedTimers(glue) })
    glue.__wbg_set_wasm(instance.exports)
    instance.exports.__wbindgen_start()
    return glue.SchemaEngine as typeof SchemaEngine
  })()
  return engineClass
}

export interface AdapterSources {
  provider: Provider
  /** The engine's "main" database. Only ever scratch databases: the engine may reset it. */
  main: () => Promise<SqlDriverAdapter>
  /** A fresh, empty shadow database each call (bug 5: never let PrismaPg pick it). */
  shadow: () => Promise<SqlDriverAdapter>
}

export interface EngineSession {
  engine: SchemaEngine
  /** Frees the engine and disposes every adapter it opened (bug 7: `free()` does not). */
  close(): Promise<void>
}

export async function openSchemaEngine(
  schema: { path: string; content: string },
  sources: AdapterSources,
  log: (message: string) => void = () => {},
): Promise<EngineSession> {
  const opened: SqlDriverAdapter[] = []
  const track = async (connect: () => Promise<SqlDriverAdapter>) => {
    const adapter = sources.provider === 'sqlite' ? withScriptFallback(await connect()) : await connect()
    opened.push(adapter)
    return adapter
  }
  const factory: SqlMigrationAwareDriverAdapterFactory = {
    provider: sources.provider,
    adapterName: `chatbase-migrations-${sources.provider}`,
    connect: () => track(sources.main),
    connectToShadowDb: () => track(sources.shadow),
  }
  const Engine = await loadSchemaEngine()
  const engine = await Engine.new(
    { datamodels: [[schema.path, schema.content]] },
    (line: string) => log(line),
    bindMigrationAwareSqlAdapterFactory(factory),
  )
  return {
    engine,
    async close() {
      engine.free()
      await Promise.allSettled(opened.splice(0).map((adapter) => adapter.dispose()))
      for (const timer of engineTimers) timer.unref()
    },
  }
}

const isMultiStatementError = (error: unknown) =>
  error instanceof RangeError && /more than one statement/.test(error.message)

/**
 * Bug 3 (P3006): better-sqlite3's prepare() rejects multi-statement SQL, which the engine sends when
 * it replays migrations. Such SQL has no parameters, so run it as a script on the same connection.
 */
function withScriptFallback(adapter: SqlDriverAdapter): SqlDriverAdapter {
  const executeRaw = (run: (q: SqlQuery) => Promise<number>) => async (query: SqlQuery) => {
    try {
      return await run(query)
    } catch (error) {
      if (!isMultiStatementError(error) || query.args.length > 0) throw error
      await adapter.executeScript(query.sql)
      return 0
    }
  }
  const wrapTransaction = (tx: Transaction): Transaction => ({
    provider: tx.provider,
    adapterName: tx.adapterName,
    options: tx.options,
    queryRaw: (q) => tx.queryRaw(q),
    executeRaw: executeRaw((q) => tx.executeRaw(q)),
    commit: () => tx.commit(),
    rollback: () => tx.rollback(),
    createSavepoint: tx.createSavepoint && ((name) => tx.createSavepoint!(name)),
    rollbackToSavepoint: tx.rollbackToSavepoint && ((name) => tx.rollbackToSavepoint!(name)),
    releaseSavepoint: tx.releaseSavepoint && ((name) => tx.releaseSavepoint!(name)),
  })
  return {
    provider: adapter.provider,
    adapterName: adapter.adapterName,
    queryRaw: (q) => adapter.queryRaw(q),
    executeRaw: executeRaw((q) => adapter.executeRaw(q)),
    executeScript: (sql) => adapter.executeScript(sql),
    startTransaction: async (level) => wrapTransaction(await adapter.startTransaction(level)),
    getConnectionInfo: adapter.getConnectionInfo && (() => adapter.getConnectionInfo!()),
    dispose: () => adapter.dispose(),
  }
}
