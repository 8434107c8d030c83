import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import { insertInstance, memberOf } from '../../db/testing/compute-db.js';
import { withComputeApp } from '../../testing/compute-test-app.js';

const DEMO = memberOf('demo');

describe('GET /servers/{id}/diagnostics', () => {
  test('2.48: the standard format from the server host; before: the libvirt driver flat dict', () =>
    withComputeApp(async ({ call, db, recorded }) => {
      const id = await insertInstance(db, 'demo');
      const standard = await call('GET', `/servers/${id}/diagnostics`, { version: '2.48' });
      assert.equal(standard.status, 200);
      assert.deepEqual(standard.json, {
        state: 'running', driver: 'libvirt', hypervisor: 'qemu', hypervisor_os: 'linux', uptime: 42, config_drive: true,
        num_cpus: 1, num_nics: 1, num_disks: 1,
        memory_details: { maximum: 128, used: 190 },
        cpu_details: [{ id: 0, time: 5_000_000_000, utilisation: null }],
        nic_details: [{ mac_address: 'fa:16:3e:00:00:01', rx_octets: 100, rx_errors: 0, rx_drop: 0, rx_packets: 2, rx_rate: null, tx_octets: 200, tx_errors: 0, tx_drop: 0, tx_packets: 3, tx_rate: null }],
        disk_details: [{ read_bytes: 4096, read_requests: 1, write_bytes: 8192, write_requests: 2, errors_count: 0 }],
      });
      assert.deepEqual(recorded.agent.at(-1), { verb: 'get_diagnostics', host: 'compute-1', args: { instanceUuid: id } });

      const legacy = await call('GET', `/servers/${id}/diagnostics`, { version: '2.47' });
      assert.equal(legacy.status, 200);
      assert.deepEqual(legacy.json, {
        cpu0_time: 5_000_000_000,
        vda_read_req: 1, vda_read: 4096, vda_write_req: 2, vda_write: 8192, vda_errors: 0,
        'tap0b7a1f9e-00_rx': 100, 'tap0b7a1f9e-00_rx_packets': 2, 'tap0b7a1f9e-00_rx_errors': 0, 'tap0b7a1f9e-00_rx_drop': 0,
        'tap0b7a1f9e-00_tx': 200, 'tap0b7a1f9e-00_tx_packets': 3, 'tap0b7a1f9e-00_tx_errors': 0, 'tap0b7a1f9e-00_tx_drop': 0,
        memory: 131072, 'memory-rss': 194560,
      });
      assert.deepEqual(Object.keys((await call('GET', `/servers/${id}/diagnostics`)).json), Object.keys(legacy.json));
    }));

  test('admin only (403 for the owner), 404 for an unknown server, 409 for one without a host', () =>
    withComputeApp(async ({ call, db, recorded }) => {
      const id = await insertInstance(db, 'demo');
      const refused = await call('GET', `/servers/${id}/diagnostics`, { as: DEMO, version: '2.48' });
      assert.equal(refused.status, 403);
      assert.match(JSON.stringify(refused.json), /os_compute_api:os-server-diagnostics/);
      assert.equal((await call('GET', `/servers/${randomUUID()}/diagnostics`, { version: '2.48' })).status, 404);
      const offloaded = await insertInstance(db, 'demo', { vm_state: 'shelved_offloaded', host: null, node: null });
      const conflict = await call('GET', `/servers/${offloaded}/diagnostics`, { version: '2.48' });
      assert.equal(conflict.status, 409);
      assert.match(JSON.stringify(conflict.json), /is not ready/);
      assert.equal(recorded.agent.length, 0);
    }));
});
