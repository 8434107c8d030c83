/** What the QMP client throws. */

/** QEMU answered a command with an error (`{"error": {"class", "desc"}}`). */
export class QmpCommandError extends Error {
  /** QEMU's error class, e.g. `GenericError`, `DeviceNotFound`. */
  readonly errorClass: string;
  readonly command: string;

  constructor(command: string, errorClass: string, desc: string) {
    super(`QMP ${command} failed: ${desc}`);
    this.errorClass = errorClass;
    this.command = command;
  }
}

/** The monitor socket closed (QEMU exited or was killed) before the answer came. */
export class QmpDisconnected extends Error {
  constructor(socketPath: string) {
    super(`QMP connection to ${socketPath} closed`);
  }
}

/** No answer, event or connection within the time allowed. */
export class QmpTimeout extends Error {
  constructor(what: string, timeoutMs: number) {
    super(`QMP ${what} timed out after ${timeoutMs} ms`);
  }
}

/** A line on the socket that is not a QMP message. */
export class QmpProtocolError extends Error {}
