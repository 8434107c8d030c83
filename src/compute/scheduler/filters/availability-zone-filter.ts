/** AvailabilityZoneFilter: the host's aggregates put it in the requested zone. */
import { PASS, reject, type HostFilter } from './filter.js';

export const availabilityZoneFilter: HostFilter = {
  name: 'AvailabilityZoneFilter',
  runOnRebuild: false,
  runOncePerRequest: true,
  cost: 0,
  hostPasses(host, spec) {
    const zone = spec.availabilityZone;
    // The cache fills in the default zone for hosts in no zoned aggregate.
    if (!zone || host.availabilityZones.includes(zone)) return PASS;
    return reject(`Availability Zone '${zone}' requested. ${host.host} has AZs: ${host.availabilityZones.join(',')}`);
  },
};
