import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BackendStateCache, stateFromReport, type BackendState } from './backend-state.js';
import { DEFAULT_FILTERS, resolveFilters } from './filters/index.js';
import type { VolumeRequestSpec } from './request-spec.js';
import type { BackendReport } from './rpc-api.js';
import { NoValidBackend, selectBackend } from './select-backend.js';
import { DEFAULT_WEIGHERS, resolveWeighers } from './weighers/index.js';

function report(host: string, fields: Partial<BackendReport['capabilities']> = {}, zone = 'nova'): BackendReport {
  return {
    backendHost: `${host}@file`,
    pool: 'file',
    availabilityZone: zone,
    capabilities: {
      volume_backend_name: 'file',
      vendor_name: 'Nimbus',
      driver_version: '1.0.0',
      storage_protocol: 'file',
      total_capacity_gb: 100,
      free_capacity_gb: 100,
      provisioned_capacity_gb: 0,
      reserved_percentage: 0,
      max_over_subscription_ratio: 1,
      thin_provisioning_support: false,
      thick_provisioning_support: true,
      multiattach: false,
      online_extend_support: true,
      ...fields,
    },
  };
}

const spec = (fields: Partial<VolumeRequestSpec> = {}): VolumeRequestSpec => ({ volumeId: 'v', sizeGb: 10, extraSpecs: {}, ...fields });
const filters = resolveFilters(DEFAULT_FILTERS);
const weighers = resolveWeighers(DEFAULT_WEIGHERS);
const pick = (backends: readonly BackendState[], request: VolumeRequestSpec) => selectBackend(backends, request, filters, weighers).name;

describe('volume scheduler', () => {
  test('the backend with the most free space wins; thin backends count over-subscription', () => {
    const small = stateFromReport(report('small', { free_capacity_gb: 20 }), 0);
    const big = stateFromReport(report('big', { free_capacity_gb: 80 }), 0);
    assert.equal(pick([small, big], spec()), 'big@file#file');
    const thin = stateFromReport(report('thin', { thin_provisioning_support: true, max_over_subscription_ratio: 20, free_capacity_gb: 10, provisioned_capacity_gb: 50 }), 0);
    assert.equal(pick([small, thin], spec({ sizeGb: 150 })), 'thin@file#file', 'thin: 10 free × 20');
    assert.throws(() => pick([thin], spec({ sizeGb: 1960 })), NoValidBackend, 'past 20× the total');
  });

  test('capacity, reserved share, zone and capabilities each rule a backend out, with the reason', () => {
    const reserved = stateFromReport(report('r', { free_capacity_gb: 15, reserved_percentage: 10 }), 0);
    assert.throws(() => pick([reserved], spec()), /CapacityFilter.*10GB requested, 5GB free/);
    const east = stateFromReport(report('e', {}, 'east'), 0);
    assert.throws(() => pick([east], spec({ availabilityZone: 'west' })), /AvailabilityZoneFilter/);
    assert.equal(pick([east], spec({ availabilityZone: 'east' })), 'e@file#file');
    const lvm = stateFromReport(report('l', { volume_backend_name: 'lvm' }), 0);
    const file = stateFromReport(report('f'), 0);
    assert.equal(pick([lvm, file], spec({ extraSpecs: { volume_backend_name: 'lvm' } })), 'l@file#file');
    assert.equal(pick([file, lvm], spec({ extraSpecs: { 'capabilities:online_extend_support': '<is> True', 'qos:iops': '5' } })), 'f@file#file', 'both pass (scoped keys other than capabilities: are no requirement); a tie goes to the first');
    assert.throws(() => pick([lvm, file], spec({ extraSpecs: { multiattach: '<is> True' } })), /CapabilitiesFilter/);
    assert.equal(pick([lvm, file], spec({ onlyBackend: 'l@file#file' })), 'l@file#file');
    assert.throws(() => pick([], spec()), /No volume backend is up/);
  });

  test('the cache consumes placed space until the next report, and forgets silent backends', () => {
    let now = 0;
    const cache = new BackendStateCache({ downTimeMs: 60_000, now: () => now });
    cache.update(report('a', { free_capacity_gb: 15 }));
    cache.consume('a@file#file', 10);
    assert.throws(() => pick(cache.live(), spec()), NoValidBackend, '5 GB left');
    cache.update(report('a', { free_capacity_gb: 15 }));
    assert.equal(pick(cache.live(), spec()), 'a@file#file');
    now = 61_000;
    assert.deepEqual(cache.live(), []);
  });
});
