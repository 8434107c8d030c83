/**
 * A guest's screen in an element, through the console proxy's websocket: noVNC's RFB client,
 * loaded only by the pages that show a console (it is most of a console page's weight).
 */
import RFB from '@novnc/novnc';

export type VncState = 'connecting' | 'connected' | 'disconnected';

export interface VncView {
  focus(): void;
  sendCtrlAltDel(): void;
  disconnect(): void;
}

/**
 * The websocket a console URL leads to: noVNC's `path` parameter (Nova puts `?token=…` there)
 * resolved against the page the URL names, on ws(s) as the page is on http(s).
 */
export function consoleWebsocketUrl(consoleUrl: string): string {
  const page = new URL(consoleUrl, location.href);
  const target = new URL(page.searchParams.get('path') ?? '', page);
  target.protocol = page.protocol === 'https:' ? 'wss:' : 'ws:';
  return target.toString();
}

/** Connects at once; `onState` hears each change (a disconnect is final: a token is good once). */
export function openVncView(target: HTMLElement, websocketUrl: string, onState: (state: VncState, detail?: string) => void): VncView {
  onState('connecting');
  const rfb = new RFB(target, websocketUrl, { shared: true, wsProtocols: ['binary'] });
  rfb.scaleViewport = true;
  rfb.focusOnClick = true;
  rfb.addEventListener('connect', () => onState('connected'));
  rfb.addEventListener('disconnect', (event) => {
    const clean = (event as CustomEvent<{ clean: boolean }>).detail.clean;
    onState('disconnected', clean ? undefined : 'The console connection was refused or lost.');
  });
  return {
    focus: () => rfb.focus(),
    sendCtrlAltDel: () => rfb.sendCtrlAltDel(),
    disconnect: () => rfb.disconnect(),
  };
}
