/** Prisma error codes we react to; checked by code so both generated clients' error classes match. */
const codeOf = (err: unknown): string | undefined =>
  typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string' ? err.code : undefined

/** A unique constraint was violated (P2002). */
export const isUniqueViolation = (err: unknown): boolean => codeOf(err) === 'P2002'

/** The record to update or delete does not exist (P2025). */
export const isRecordMissing = (err: unknown): boolean => codeOf(err) === 'P2025'
