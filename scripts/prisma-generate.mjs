// Generates both Prisma clients (SQLite and PostgreSQL) into src/generated/. Runs on npm install.
import { execFileSync } from 'node:child_process'

for (const schema of ['prisma/sqlite/schema.prisma', 'prisma/postgres/schema.prisma']) {
  execFileSync('npx', ['--no-install', 'prisma', 'generate', '--schema', schema], { stdio: 'inherit' })
}
