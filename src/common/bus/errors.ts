import { describeTarget, type RemoteFailure, type Target } from './transport.js';

/** A call got no reply in time, or the connection carrying it was lost (oslo.messaging's MessagingTimeout). */
export class MessagingTimeout extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MessagingTimeout';
  }

  static noReply(target: Target, method: string, timeoutMs: number): MessagingTimeout {
    return new MessagingTimeout(`Timed out after ${timeoutMs} ms waiting for a reply to '${method}' from ${describeTarget(target)}`);
  }

  static connectionLost(target: Target, method: string, elapsedMs: number, bus: string): MessagingTimeout {
    return new MessagingTimeout(
      `Connection to ${bus} lost ${elapsedMs} ms into a call to '${method}' on ${describeTarget(target)}; no reply will come`,
    );
  }

  static notConnected(target: Target, method: string, timeoutMs: number, bus: string): MessagingTimeout {
    return new MessagingTimeout(
      `Timed out after ${timeoutMs} ms waiting for the connection to ${bus} to send '${method}' to ${describeTarget(target)}`,
    );
  }
}

/** A message could not be handed to the bus: the transport is closed or stayed unreachable past the deadline. */
export class MessageDeliveryFailure extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MessageDeliveryFailure';
  }
}

/**
 * A call's handler failed on the server. `className` and `remoteMessage` are the remote error's;
 * `status` is set when it was a NimbusError, so an API maps a remote NotFound to its own 404.
 */
export class RemoteError extends Error {
  readonly className: string;
  readonly remoteMessage: string;
  readonly status: number | undefined;

  constructor(failure: RemoteFailure) {
    super(`${failure.className}: ${failure.message}`);
    this.name = 'RemoteError';
    this.className = failure.className;
    this.remoteMessage = failure.message;
    this.status = failure.status;
  }
}

/** The server does not speak the message's version: a different major, or a newer minor than its own. */
export class UnsupportedVersion extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsupportedVersion';
  }
}

/** The server has no handler for the message's method. */
export class NoSuchMethod extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NoSuchMethod';
  }
}
