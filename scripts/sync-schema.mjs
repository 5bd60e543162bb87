// Derives prisma/postgres/schema.prisma from prisma/sqlite/schema.prisma (the source of truth).
// `--check` exits 1 when the derived file is stale, for CI.
import { readFileSync, writeFileSync, existsSync } from 'node:fs'

const source = 'prisma/sqlite/schema.prisma'
const target = 'prisma/postgres/schema.prisma'

/** Replaces the one match of `pattern`; a source that no longer matches is an error, not a silent copy. */
function replaceOnce(text, pattern, replacement) {
  if (!pattern.test(text)) throw new Error(`${source}: nothing matches ${pattern}`)
  return text.replace(pattern, replacement)
}

let derived = readFileSync(source, 'utf8')
derived = replaceOnce(derived, /^\/\/ Source of truth[^\n]*\n\/\/[^\n]*\n/m, '// GENERATED from prisma/sqlite/schema.prisma by `npm run db:sync-schema`. Do not edit.\n')
derived = replaceOnce(derived, /(output\s*=\s*)"\.\.\/\.\.\/src\/generated\/sqlite"/, '$1"../../src/generated/postgres"')
derived = replaceOnce(derived, /(provider\s*=\s*)"sqlite"/, '$1"postgresql"')

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
