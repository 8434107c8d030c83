/**
 * Where a guest's graphical console is served on its host (Nova's console/type.py ConsoleVNC):
 * what the console proxy connects to once a token names it.
 */
export interface VncConsoleAddress {
  /** The compute host running the guest. */
  readonly host: string;
  /** QEMU's VNC server: a unix socket in the guest's runtime directory on that host. */
  readonly socketPath: string;
}
