// The part of noVNC's RFB client (@novnc/novnc ships JavaScript only) the console uses.
declare module '@novnc/novnc' {
  export interface RfbOptions {
    readonly shared?: boolean;
    readonly wsProtocols?: readonly string[];
  }
  export default class RFB extends EventTarget {
    constructor(target: HTMLElement, url: string, options?: RfbOptions);
    scaleViewport: boolean;
    focusOnClick: boolean;
    viewOnly: boolean;
    focus(): void;
    disconnect(): void;
    sendCtrlAltDel(): void;
  }
}
