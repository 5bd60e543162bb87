// Derives prisma/postgres/schema.prisma from prisma/sqlite/schema.prisma (the source of truth).
// `--check` exits 1 when the derived file is stale, for CI.
import { readFileSync, writeFileSync, existsSync } from 'node:fs'

const source = 'prisma/sqlite/schema.prisma'
const target = 'prisma/postgres/schema.prisma'

const derived = readFileSync(source, 'utf8')
  .replace(/^\/\/ Source of truth[^\n]*\n\/\/[^\n]*\n/m, '// GENERATED from prisma/sqlite/schema.prisma by `npm run db:sync-schema`. Do not edit.\n')
  .replace('output   = "../../src/generated/sqlite"', 'output   = "../../src/generated/postgres"')
  .replace('provider = "sqlite"', 'provider = "postgresql"')

const current = existsSync(target) ? readFileSync(target, 'utf8') : ''
if (process.argv.includes('--check')) {
  if (current !== derived) {
    console.error(`${target} is out of date: run npm run db:sync-schema`)
    process.exit(1)
  }
  console.log(`${target} is in sync`)
} else {
  writeFileSync(target, derived)
  console.log(`wrote ${target}`)
}
