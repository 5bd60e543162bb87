#!/bin/sh
# Stands in for Prisma's native schema engine, which cannot be downloaded offline.
# It fails on purpose: `prisma migrate`/`db` must not "succeed" while doing nothing.
echo "The native Prisma schema engine is not available offline; use npm run db:migrate / db:new-migration." >&2
exit 1
