/**
 * The page a console URL opens (noVNC's vnc_lite.html, Nova's `novncproxy_base_url`): the guest's
 * screen over the websocket its `path` parameter names. No login: the URL's token is the key,
 * good once.
 */
import { consoleWebsocketUrl, openVncView } from './console/vnc-view.js';

const STATE_TEXT = { connecting: 'Connecting…', connected: 'Connected', disconnected: 'Disconnected' } as const;

const status = document.getElementById('status');
const ctrlAltDel = document.getElementById('ctrl-alt-del') as HTMLButtonElement | null;
const screen = document.getElementById('screen');
if (screen !== null && status !== null && ctrlAltDel !== null) {
  const view = openVncView(screen, consoleWebsocketUrl(location.href), (state, detail) => {
    status.textContent = detail === undefined ? STATE_TEXT[state] : `${STATE_TEXT[state]}: ${detail}`;
    ctrlAltDel.disabled = state !== 'connected';
    if (state === 'connected') view.focus();
  });
  ctrlAltDel.addEventListener('click', () => view.sendCtrlAltDel());
}
