import type { ServiceRecord } from '../../common/service/service-registry.js';

/**
 * The service registry is shared with Cinder and Neutron, but Nova's own database holds only its
 * nova-* services: os-services and the zones' service lists show and find no others (those
 * services have their own APIs).
 */
export function isNovaService(record: ServiceRecord): boolean {
  return record.binary.startsWith('nova-');
}
