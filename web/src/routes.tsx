import type { FunctionComponent } from 'preact'
import type { User } from './api.ts'
import { AdminAccountsPage } from './pages/admin-accounts.tsx'
import { AdminAuditPage } from './pages/admin-audit.tsx'
import { AdminSettingsPage } from './pages/admin-settings.tsx'
import { AdminUsagePage } from './pages/admin-usage.tsx'
import { AdminUsersPage } from './pages/admin-users.tsx'
import { ChatPage } from './pages/chat.tsx'
import { ModelsPage } from './pages/models.tsx'
import { MyKeysPage } from './pages/my-keys.tsx'
import { MySettingsPage } from './pages/my-settings.tsx'
import { MyUsagePage } from './pages/my-usage.tsx'
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
  { path: '/chat', alias: '/chat/:id', title: 'Chat', group: 'Chat', page: ChatPage },
  { path: '/account/models', title: 'My models', group: 'Account', page: () => <ModelsPage scope="personal" /> },
  { path: '/account/keys', title: 'Platform keys', group: 'Account', page: MyKeysPage },
  { path: '/account/usage', title: 'My usage', group: 'Account', page: MyUsagePage },
  { path: '/account/settings', title: 'Settings', group: 'Account', page: MySettingsPage },
  { path: '/account/password', title: 'Password', group: 'Account', page: PasswordPage },
  { path: '/admin/users', title: 'Users and limits', group: 'Admin', admin: true, page: AdminUsersPage },
  { path: '/admin/models', title: 'System models', group: 'Admin', admin: true, page: () => <ModelsPage scope="system" /> },
  { path: '/admin/accounts', title: 'Upstream accounts', group: 'Admin', admin: true, page: AdminAccountsPage },
  { path: '/admin/settings', title: 'Settings and quotas', group: 'Admin', admin: true, page: AdminSettingsPage },
  { path: '/admin/usage', title: 'Usage', group: 'Admin', admin: true, page: AdminUsagePage },
  { path: '/admin/audit', title: 'Audit log', group: 'Admin', admin: true, page: AdminAuditPage },
]
