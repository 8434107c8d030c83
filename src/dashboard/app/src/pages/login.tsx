import { useState } from 'preact/hooks';
import { logIn, type Session } from '../api/session.js';
import { field } from '../components/form-field.js';
import { ErrorBox } from '../components/load.js';

/** Domain, user and password against the identity API. */
export function LoginPage({ onLogin }: { onLogin: (session: Session) => void }) {
  const [error, setError] = useState<Error | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    setBusy(true);
    try {
      onLogin(await logIn(field(form, 'domain'), field(form, 'user'), field(form, 'password')));
    } catch (err) {
      setError(err as Error);
      setBusy(false);
    }
  };
  return (
    <main class="login">
      <form onSubmit={(e) => void submit(e)} aria-labelledby="login-title">
        <h1 id="login-title">Log in to Nimbus</h1>
        <ErrorBox error={error} />
        <label>
          Domain
          <input name="domain" defaultValue="Default" required autoComplete="off" />
        </label>
        <label>
          User name
          <input name="user" required autoComplete="username" />
        </label>
        <label>
          Password
          <input name="password" type="password" required autoComplete="current-password" />
        </label>
        <button type="submit" class="primary" disabled={busy}>
          {busy ? 'Logging in…' : 'Log in'}
        </button>
      </form>
    </main>
  );
}
