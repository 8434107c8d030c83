/**
 * Whether a topic has a server yet (oslo.messaging's `oslo_rpc_server_ping` endpoint, which every
 * RpcServer answers). A message sent to a topic before any server declared its queue is dropped by
 * the broker, so a service that starts before its peer pings it with short timeouts first
 * (Nova's conductor `wait_until_ready`) instead of losing its first real call to a long one.
 */
import { messageOf } from '../errors/errors.js';
import { getLogger } from '../logging/logger.js';
import { MessagingTimeout } from './errors.js';
import type { RpcClient } from './rpc-client.js';

const LOG = getLogger('nimbus.common.bus');

export const PING_METHOD = 'oslo_rpc_server_ping';
export const PONG = 'pong';

export interface WaitUntilReadyOptions {
  /** Timeout of each of the first attempts, ms (Nova: 10 s). */
  readonly earlyTimeoutMs?: number;
  /** Attempts with the early timeout before each waits the client's own (Nova: 10). */
  readonly earlyAttempts?: number;
}

/** Resolves once some server of the client's topic answers; `service` names it in the log (`nova-conductor`). */
export async function waitUntilReady(rpc: RpcClient, service: string, options: WaitUntilReadyOptions = {}): Promise<void> {
  const { earlyTimeoutMs = 10_000, earlyAttempts = 10 } = options;
  let timedOut = false;
  for (let attempt = 0; ; attempt += 1) {
    try {
      await rpc.call(PING_METHOD, {}, attempt < earlyAttempts ? { timeoutMs: earlyTimeoutMs } : {});
      if (timedOut) LOG.info(`${service} connection established successfully`);
      return;
    } catch (error) {
      if (!(error instanceof MessagingTimeout)) throw error;
      if (!timedOut) LOG.warning(`Timed out waiting for ${service}. Is it running? Or did this service start before ${service}? Retrying: ${messageOf(error)}`);
      timedOut = true;
    }
  }
}
