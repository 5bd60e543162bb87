import type { ComponentChildren } from 'preact'
import { useEffect, useState } from 'preact/hooks'
import { describeError, resume, signOut, whenSignedOut, type User } from './api.ts'
import { Link } from './components/ui.tsx'
import { routes, type Route } from './routes.tsx'
import { match, navigate, usePath } from './router.ts'
import { ChangePassword } from './pages/change-password.tsx'
import { SignIn } from './pages/sign-in.tsx'

export function App() {
  // undefined while the refresh cookie is tried, null when signed out
  const [user, setUser] = useState<User | null | undefined>(undefined)
  const [notice, setNotice] = useState<string | null>(null)
  const path = usePath()

  useEffect(() => {
    whenSignedOut((reason) => {
      setUser(null)
      setNotice(reason)
    })
    resume().then(setUser, (err) => {
      setUser(null)
      setNotice(describeError(err))
    })
  }, [])

  if (user === undefined) return <main class="centered">Loading…</main>
  if (user === null)
    return (
      <SignIn
        notice={notice}
        onSignedIn={(u) => {
          setNotice(null)
          setUser(u)
        }}
      />
    )
  if (user.mustChangePassword) return <ChangePassword forced onChanged={setUser} />

  const found = findRoute(path, user)
  if (!found) {
    navigate(routes[0]!.path, true)
    return null
  }
  const Page = found.route.page
  return (
    <Shell user={user} path={path} onSignOut={async () => {
      await signOut()
      setNotice('You are signed out.')
      setUser(null)
    }}>
      <Page params={found.params} user={user} onUserChanged={setUser} />
    </Shell>
  )
}

function findRoute(path: string, user: User): { route: Route; params: Record<string, string> } | null {
  for (const route of routes) {
    if (route.admin && user.role !== 'ADMIN') continue
    const params = match(route.path, path) ?? (route.alias ? match(route.alias, path) : null)
    if (params) return { route, params }
  }
  return null
}

function Shell(props: { user: User; path: string; onSignOut: () => void; children: ComponentChildren }) {
  const [open, setOpen] = useState(false)
  const groups = [...new Set(routes.filter((r) => r.title).map((r) => r.group))]
  return (
    <div class={`shell ${open ? 'nav-open' : ''}`}>
      <header class="topbar">
        <button type="button" class="icon menu" aria-label="Menu" onClick={() => setOpen(!open)}>
          ☰
        </button>
        <strong>chatbase</strong>
        <span class="who">
          {props.user.username}
          {props.user.role === 'ADMIN' ? ' (admin)' : ''}
        </span>
        <button type="button" class="secondary" onClick={props.onSignOut}>
          Sign out
        </button>
      </header>
      <nav class="sidenav" aria-label="Sections" onClick={() => setOpen(false)}>
        {groups.map((group) => {
          const items = routes.filter((r) => r.group === group && r.title && (!r.admin || props.user.role === 'ADMIN'))
          if (!items.length) return null
          return (
            <div key={group}>
              <h2>{group}</h2>
              {items.map((r) => (
                <Link key={r.path} href={r.path} class={props.path === r.path || props.path.startsWith(r.path + '/') ? 'active' : ''}>
                  {r.title}
                </Link>
              ))}
            </div>
          )
        })}
      </nav>
      <div class="content">{props.children}</div>
    </div>
  )
}
