import type { FunctionComponent } from 'preact'
import type { User } from './api.ts'
import { PasswordPage } from './pages/password-page.tsx'

export interface PageProps {
  params: Record<string, string>
  user: User
  onUserChanged: (user: User) => void
}

export interface Route {
  path: string
  alias?: string
  title?: string
  group: string
  admin?: boolean
  page: FunctionComponent<PageProps>
}

/** The first route is where `/` and unknown paths land. */
export const routes: Route[] = [
  { path: '/account/password', title: 'Password', group: 'Account', page: PasswordPage },
]
