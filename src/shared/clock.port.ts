import { token } from './di.ts'

export interface Clock {
  now(): Date
}
export const Clock = token<Clock>('Clock')
