import { token } from './di.ts'

/** Makes record ids. The default makes UUIDv7: time-ordered, so sorting by id sorts by creation. */
export interface IdGenerator {
  next(): string
}
export const IdGenerator = token<IdGenerator>('IdGenerator')
