import { useEffect, useState } from 'preact/hooks';
import { SESSION_REJECTED } from './api/cloud.js';
import { restoreSession, saveSession, type Session } from './api/session.js';
import { useRoute } from './components/route.js';
import { Shell } from './shell.js';
import { LoginPage } from './pages/login.js';
import { pageFor } from './pages/index.js';

/** The whole app: the login form without a session, else the shell around the page the URL names. */
export function App() {
  const [session, setSession] = useState<Session | undefined>(restoreSession);
  const route = useRoute();
  const change = (next: Session | undefined) => {
    saveSession(next);
    setSession(next);
  };
  // A token revoked or expired elsewhere: back to the login form rather than a page of errors.
  useEffect(() => {
    const rejected = () => change(undefined);
    addEventListener(SESSION_REJECTED, rejected);
    return () => removeEventListener(SESSION_REJECTED, rejected);
  }, []);
  if (session === undefined) return <LoginPage onLogin={change} />;
  return (
    <Shell session={session} route={route} onSession={change}>
      {pageFor(route, session)}
    </Shell>
  );
}
