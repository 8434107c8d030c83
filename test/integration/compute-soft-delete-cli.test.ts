import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { startComputeCloud, type ComputeCloud } from '../support/compute-cloud.js';
import { openstack, openstackCliUnavailable, openstackJson, openstackOk, type OpenstackEnv } from '../support/openstack-cli.js';

// Soft delete through Debian's python3-openstackclient: a cloud with reclaim_instance_interval = 10
// keeps a deleted server SOFT_DELETED (restorable) and its agent reclaims it after the interval.
const skip = openstackCliUnavailable();

type Json = Record<string, unknown>;

describe('soft delete: server delete, restore, delete --force, reclaim', { skip }, () => {
  let cloud: ComputeCloud;
  let demo: OpenstackEnv;
  const configDir = mkdtempSync(join(tmpdir(), 'nimbus-soft-delete-conf-'));

  const boot = async (name: string): Promise<string> => {
    const created = await openstackJson<Json>(demo, ['server', 'create', '--image', 'cirros', '--flavor', 'm1.tiny', name]);
    const id = String(created['id']);
    await cloud.waitForStatus(id, 'ACTIVE', 'demo');
    return id;
  };
  const gone = async (id: string): Promise<void> => {
    for (let attempt = 0; (await cloud.compute('GET', `/servers/${id}`)).status !== 404; attempt += 1) {
      assert.ok(attempt < 300, `${id} was never deleted`);
      await sleep(200);
    }
  };

  before(async () => {
    const config = join(configDir, 'nimbus.conf');
    writeFileSync(config, '[DEFAULT]\nreclaim_instance_interval = 10\n');
    cloud = await startComputeCloud('soft-delete-cli', { hosts: 1, extraArgs: ['--config', config] });
    demo = cloud.cli.demo;
  });
  after(async () => {
    await cloud.stop();
    rmSync(configDir, { recursive: true, force: true });
  });

  test('a deleted server is SOFT_DELETED and powered off; restore brings it back ACTIVE; the agent reclaims one left deleted', async () => {
    const id = await boot('soft-1');
    await openstackOk(demo, ['server', 'delete', id]);
    const softDeleted = await cloud.waitForStatus(id, 'SOFT_DELETED', 'demo');
    assert.equal(softDeleted['OS-EXT-STS:power_state'], 4, 'powered off');
    await openstackOk(demo, ['server', 'restore', id]);
    const restored = await cloud.waitForStatus(id, 'ACTIVE', 'demo');
    assert.equal(restored['OS-EXT-STS:power_state'], 1, 'running again');
    const refused = await openstack(demo, ['server', 'restore', id]);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /Cannot 'restore' instance .* while it is in vm_state active/);
    const events = await openstackJson<Json[]>(demo, ['server', 'event', 'list', id]);
    assert.deepEqual(events.map((event) => event['Action']).filter((action) => action !== 'create').sort(), ['delete', 'restore']);

    // Left deleted, it is out of the live list, in an admin's list of deleted servers, and reclaimed after reclaim_instance_interval.
    await openstackOk(demo, ['server', 'delete', id]);
    await cloud.waitForStatus(id, 'SOFT_DELETED', 'demo');
    assert.deepEqual(await openstackJson<Json[]>(demo, ['server', 'list']), [], "Nova's live list leaves soft-deleted servers out");
    const deleted = await openstackJson<Json[]>(cloud.cli.admin, ['server', 'list', '--all-projects', '--deleted']);
    assert.ok(deleted.some((row) => row['ID'] === id && row['Status'] === 'SOFT_DELETED'), JSON.stringify(deleted));
    await gone(id);
  });

  test('delete --force deletes a server at once, soft-deleted or not', async () => {
    const id = await boot('soft-2');
    await openstackOk(demo, ['server', 'delete', id]);
    await cloud.waitForStatus(id, 'SOFT_DELETED', 'demo');
    await openstackOk(demo, ['server', 'delete', '--force', id]);
    await gone(id);
    const other = await boot('soft-3');
    await openstackOk(demo, ['server', 'delete', '--force', other]);
    await gone(other);
  });
});
