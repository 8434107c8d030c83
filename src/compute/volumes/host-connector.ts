/** What this host tells the volume service when it connects a volume (os-brick's get_connector_properties). */
import { arch } from 'node:os';
import type { HostConnector } from './volume-api.js';

export function hostConnector(host: string, mountpoint: string): HostConnector {
  return {
    host,
    // File volumes are reached on this machine; transports across hosts (NBD) will name an address.
    ip: '127.0.0.1',
    initiator: null,
    multipath: false,
    platform: arch() === 'x64' ? 'x86_64' : arch(),
    os_type: 'linux',
    mountpoint,
    mode: 'rw',
  };
}
