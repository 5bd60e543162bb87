import { token } from '../../shared/di.ts'

/** The models a new chat created without one should get, best first: the user's own default, then the system default. */
export interface DefaultModels {
  candidatesFor(userId: string): Promise<string[]>
}
export const DefaultModels = token<DefaultModels>('DefaultModels')
