import { PASS, reject, type BackendFilter } from './filter.js';

/** Cinder's AvailabilityZoneFilter: the backend's zone is the one asked for. */
export const availabilityZoneFilter: BackendFilter = {
  name: 'AvailabilityZoneFilter',
  backendPasses: (backend, spec) =>
    spec.availabilityZone === undefined || spec.availabilityZone === backend.availabilityZone
      ? PASS
      : reject(`backend is in zone ${backend.availabilityZone}, not ${spec.availabilityZone}`),
};
