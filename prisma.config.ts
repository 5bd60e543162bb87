import path from 'node:path'
import { defineConfig } from 'prisma/config'

// The Prisma CLI downloads its native schema engine before every command, which cannot work offline.
// `prisma generate` never needs it, so point the CLI at a stub that fails loudly if it is ever run.
process.env.PRISMA_SCHEMA_ENGINE_BINARY ??= path.resolve('scripts/schema-engine-stub.sh')

export default defineConfig({
  schema: 'prisma/sqlite/schema.prisma',
})
