import { randomBytes } from 'node:crypto'
import { ListUsers } from '../features/users/list-users.use-case.ts'
import { ResetUserPassword } from '../features/users/reset-user-password.use-case.ts'
import { UpdateUser } from '../features/users/update-user.use-case.ts'
import { normalizeUsername, type PublicUser } from '../features/users/user.ts'
import { NotFound } from '../shared/errors.ts'
import type { CliContext } from './cli-context.ts'
import { CreateAdministrator } from './create-administrator.use-case.ts'

/** 24 URL-safe characters (144 bits), like the first-run administrator's one-time password. */
export const generatePassword = (): string => randomBytes(18).toString('base64url')

/** The user with exactly this username, through the admin API's own ListUsers. */
export async function findUser(ctx: CliContext, username: string): Promise<PublicUser> {
  const wanted = normalizeUsername(username)
  const listUsers = ctx.container.resolve(ListUsers)
  for (let page = 1; ; page++) {
    const { items, total } = await listUsers.execute({ actor: ctx.actor, search: wanted, page, pageSize: 100 })
    const match = items.find((u) => u.username === wanted)
    if (match) return match
    if (page * 100 >= total || items.length === 0) throw new NotFound(`User "${wanted}"`)
  }
}

export async function createAdmin(ctx: CliContext, username: string, password: string | undefined): Promise<string[]> {
  const oneTime = password === undefined ? generatePassword() : undefined
  const user = await ctx.container.resolve(CreateAdministrator).execute({
    actor: ctx.actor,
    username,
    password: password ?? oneTime!,
    mustChangePassword: oneTime !== undefined,
  })
  const lines = [`Created administrator "${user.username}" (id ${user.id}).`]
  if (oneTime) lines.push(`One-time password: ${oneTime}`, 'It must be changed at first login.')
  return lines
}

export async function resetPassword(ctx: CliContext, username: string, password: string | undefined): Promise<string[]> {
  const user = await findUser(ctx, username)
  const oneTime = password === undefined ? generatePassword() : undefined
  await ctx.container.resolve(ResetUserPassword).execute({
    actor: ctx.actor,
    userId: user.id,
    newPassword: password ?? oneTime!,
    mustChangePassword: oneTime !== undefined,
  })
  const lines = [`Reset the password of "${user.username}"; their sessions were ended.`]
  if (oneTime) lines.push(`One-time password: ${oneTime}`, 'It must be changed at first login.')
  return lines
}

export async function disableUser(ctx: CliContext, username: string): Promise<string[]> {
  const user = await findUser(ctx, username)
  if (user.disabled) return [`"${user.username}" is already disabled.`]
  await ctx.container.resolve(UpdateUser).execute({ actor: ctx.actor, userId: user.id, disabled: true })
  return [`Disabled "${user.username}"; their sessions and tokens were revoked.`]
}
