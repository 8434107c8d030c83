import { freePort as freePortOn } from '../../src/compute/virt/qemu/host/free-port.js';

/** A TCP port on `address` (default 127.0.0.1) that nothing listens on right now. */
export function freePort(address = '127.0.0.1'): Promise<number> {
  return freePortOn(address);
}
