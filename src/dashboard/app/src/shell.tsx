import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { listMyProjects, revoke, rescope, type Project, type Session } from './api/session.js';
import { ErrorBox } from './components/load.js';
import { NAV } from './pages/index.js';

interface ShellProps {
  readonly session: Session;
  readonly route: string;
  readonly onSession: (next: Session | undefined) => void;
  readonly children: ComponentChildren;
}

/** Header (project switcher, user, log out), the navigation and the current page. */
export function Shell({ session, route, onSession, children }: ShellProps) {
  const [projects, setProjects] = useState<Project[]>([session.project]);
  const [error, setError] = useState<Error | undefined>(undefined);
  const [menuOpen, setMenuOpen] = useState(false);
  const refreshProjects = () => listMyProjects(session.token).then(setProjects, (err: Error) => setError(err));
  useEffect(() => {
    void refreshProjects();
  }, [session.token]);
  // The token is good until it expires: then back to the login form.
  useEffect(() => {
    const timer = setTimeout(() => onSession(undefined), Math.max(0, Date.parse(session.expiresAt) - Date.now()));
    return () => clearTimeout(timer);
  }, [session, onSession]);

  const switchProject = async (projectId: string) => {
    try {
      const next = await rescope(session.loginToken, projectId);
      // The old project's token is a sibling of the new one: revoking it leaves the new one valid.
      await revoke(next.token, session.token).catch(() => undefined);
      onSession(next);
    } catch (err) {
      setError(err as Error);
    }
  };
  const logOut = async () => {
    await revoke(session.token, session.loginToken).catch(() => undefined);
    onSession(undefined);
  };
  const isAdmin = session.roles.includes('admin');

  return (
    <div class="layout">
      <header class="topbar">
        <button type="button" class="menu-toggle" aria-expanded={menuOpen} aria-controls="nav" onClick={() => setMenuOpen(!menuOpen)}>
          Menu
        </button>
        <span class="brand">Nimbus</span>
        <label class="project">
          <span>Project</span>
          {/* Listed again on focus: a role granted since login shows up without logging in again. */}
          <select value={session.project.id} onFocus={() => void refreshProjects()} onChange={(e) => void switchProject(e.currentTarget.value)}>
            {projects.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
          </select>
        </label>
        <span class="user" title="Signed in user">
          {session.userName}
        </span>
        <button type="button" onClick={() => void logOut()}>
          Log out
        </button>
      </header>
      <nav id="nav" class={menuOpen ? 'open' : ''} aria-label="Pages" onClick={() => setMenuOpen(false)}>
        {NAV.filter((item) => isAdmin || !item.admin).map((item) => (
          <a key={item.path} href={`#${item.path}`} aria-current={route.startsWith(item.path) ? 'page' : undefined}>
            {item.admin ? `Admin: ${item.label}` : item.label}
          </a>
        ))}
      </nav>
      <main>
        <ErrorBox error={error} />
        {children}
      </main>
    </div>
  );
}
