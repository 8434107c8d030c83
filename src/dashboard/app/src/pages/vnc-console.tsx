import { useEffect, useRef, useState } from 'preact/hooks';
import { call } from '../api/cloud.js';
import type { Session } from '../api/session.js';
import { ErrorBox } from '../components/load.js';
import type { VncState, VncView } from '../console/vnc-view.js';

interface RemoteConsole {
  readonly remote_console: { readonly protocol: string; readonly type: string; readonly url: string };
}

/** A fresh console URL (one-time token) from Nova's remote-consoles, as `openstack console url show --novnc` gets it. */
async function consoleUrl(session: Session, id: string): Promise<string> {
  const body = { remote_console: { protocol: 'vnc', type: 'novnc' } };
  return (await call<RemoteConsole>(session, 'compute', `/servers/${id}/remote-consoles`, { method: 'POST', body })).remote_console.url;
}

const STATE_TEXT: Readonly<Record<VncState, string>> = { connecting: 'Connecting…', connected: 'Connected', disconnected: 'Disconnected' };

/** The instance page's Console tab: the guest's screen, keyboard and mouse, over a token used once per connection. */
export function VncConsole({ session, id }: { session: Session; id: string }) {
  const screen = useRef<HTMLDivElement>(null);
  const [attempt, setAttempt] = useState(0);
  const [state, setState] = useState<{ state: VncState; detail?: string }>({ state: 'connecting' });
  const [error, setError] = useState<Error | undefined>(undefined);
  const [view, setView] = useState<VncView | undefined>(undefined);

  useEffect(() => {
    let opened: VncView | undefined;
    let cancelled = false;
    setError(undefined);
    (async () => {
      const [url, vnc] = await Promise.all([consoleUrl(session, id), import('../console/vnc-view.js')]);
      if (cancelled || screen.current === null) return;
      opened = vnc.openVncView(screen.current, vnc.consoleWebsocketUrl(url), (next, detail) => setState(detail === undefined ? { state: next } : { state: next, detail }));
      setView(opened);
    })().catch((err: unknown) => {
      setState({ state: 'disconnected' });
      setError(err as Error);
    });
    return () => {
      cancelled = true;
      opened?.disconnect();
    };
  }, [session.token, id, attempt]);

  return (
    <div class="vnc">
      <ErrorBox error={error} />
      <div class="vnc-bar">
        <span role="status" aria-live="polite">
          Console: {STATE_TEXT[state.state]}
          {state.detail === undefined ? '' : ` — ${state.detail}`}
        </span>
        <button type="button" disabled={state.state !== 'connected'} onClick={() => view?.sendCtrlAltDel()}>
          Send Ctrl+Alt+Del
        </button>
        <button type="button" disabled={state.state !== 'disconnected'} onClick={() => setAttempt(attempt + 1)}>
          Reconnect
        </button>
      </div>
      <div class="vnc-screen" ref={screen} aria-label="Guest screen" />
    </div>
  );
}
