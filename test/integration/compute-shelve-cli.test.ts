import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { startComputeCloud, type ComputeCloud } from '../support/compute-cloud.js';
import { openstack, openstackCliUnavailable, openstackJson, openstackOk, type OpenstackEnv } from '../support/openstack-cli.js';

// Issue 6's snapshot and shelve acceptance through Debian's python3-openstackclient, against an
// all-in-one cloud with two fake compute hosts and the default shelved_offload_time (0).
const skip = openstackCliUnavailable();

type Json = Record<string, unknown>;

describe('server image create, shelve and unshelve through the openstack CLI', { skip }, () => {
  let cloud: ComputeCloud;
  let demo: OpenstackEnv;
  let admin: OpenstackEnv;

  const boot = async (name: string, image = 'cirros'): Promise<string> => {
    const created = await openstackJson<Json>(demo, ['server', 'create', '--image', image, '--flavor', 'm1.tiny', name]);
    const id = String(created['id']);
    await cloud.waitForStatus(id, 'ACTIVE', 'demo');
    return id;
  };
  const server = async (id: string): Promise<Json> => (await cloud.compute('GET', `/servers/${id}`)).json['server'] as Json;
  /** `server delete`, then a quick poll until it is gone (the CLI's --wait polls only every 5 s). */
  const remove = async (...ids: string[]): Promise<void> => {
    await openstackOk(demo, ['server', 'delete', ...ids]);
    for (const id of ids) {
      for (let attempt = 0; (await cloud.compute('GET', `/servers/${id}`)).status !== 404; attempt += 1) {
        assert.ok(attempt < 150, `${id} was never deleted`);
        await sleep(200);
      }
    }
  };

  before(async () => {
    cloud = await startComputeCloud('shelve-cli', { hosts: 2 });
    demo = cloud.cli.demo;
    admin = cloud.cli.admin;
  });
  after(async () => {
    await cloud.stop();
  });

  test('server image create --wait makes an active snapshot image a new server boots from', async () => {
    const id = await boot('snap-source');
    const image = await openstackJson<Json>(demo, ['server', 'image', 'create', '--name', 'snap-1', '--property', 'purpose=test', '--wait', id]);
    assert.equal(image['status'], 'active');
    const shown = await openstackJson<Json>(demo, ['image', 'show', String(image['id'])]);
    const properties = shown['properties'] as Json;
    assert.deepEqual(
      [properties['image_type'], properties['instance_uuid'], properties['base_image_ref'], properties['purpose'], shown['min_disk'], shown['visibility'], shown['disk_format']],
      ['snapshot', id, cloud.imageId, 'test', 1, 'private', 'raw'],
    );
    assert.equal((await server(id))['status'], 'ACTIVE');
    const events = await openstackJson<Json[]>(demo, ['server', 'event', 'list', id]);
    assert.ok(events.some((event) => event['Action'] === 'createImage'), JSON.stringify(events));

    const fromSnapshot = await boot('from-snapshot', 'snap-1');
    assert.equal(((await server(fromSnapshot))['image'] as Json)['id'], image['id']);
    await remove(fromSnapshot, id);
  });

  test('server backup create --rotate 2, three times: the two newest daily backups stay, the oldest is deleted', async () => {
    const id = await boot('backup-source');
    const made: string[] = [];
    for (const name of ['b1', 'b2', 'b3']) {
      const backup = await openstackJson<Json>(demo, ['server', 'backup', 'create', '--name', name, '--type', 'daily', '--rotate', '2', '--wait', id]);
      made.push(String(backup['id']));
    }
    const backups = async () =>
      (await openstackJson<Json[]>(demo, ['image', 'list', '--property', 'image_type=backup', '--property', `instance_uuid=${id}`])).map((row) => String(row['Name'])).sort();
    // The agent rotates once the newest backup is uploaded, just after --wait sees it active.
    for (let attempt = 0; (await backups()).length > 2; attempt += 1) {
      assert.ok(attempt < 50, `still ${(await backups()).join(', ')}`);
      await sleep(200);
    }
    assert.deepEqual(await backups(), ['b2', 'b3']);
    const kept = await openstackJson<Json>(demo, ['image', 'show', made[2] ?? '']);
    assert.deepEqual([(kept['properties'] as Json)['image_type'], (kept['properties'] as Json)['backup_type'], kept['status']], ['backup', 'daily', 'active']);
    const events = await openstackJson<Json[]>(demo, ['server', 'event', 'list', id]);
    assert.equal(events.filter((event) => event['Action'] === 'createBackup').length, 3);
    const refused = await openstack(demo, ['server', 'backup', 'create', '--type', 'daily', '--rotate', '-1', id]);
    assert.notEqual(refused.code, 0, 'a negative rotation is refused');
    for (const image of made.slice(1)) await openstackOk(demo, ['image', 'delete', image]);
    await remove(id);
  });

  test('server shelve offloads at once (hypervisor usage freed), unshelve schedules it again and removes the snapshot', async () => {
    const before = await cloud.hypervisorUsage();
    const id = await boot('shelf');

    await openstackOk(demo, ['server', 'shelve', id]);
    const offloaded = await cloud.waitForStatus(id, 'SHELVED_OFFLOADED');
    assert.equal(offloaded['OS-EXT-SRV-ATTR:host'], null);
    assert.equal(offloaded['OS-EXT-STS:vm_state'], 'shelved_offloaded');
    assert.deepEqual(await cloud.hypervisorUsage(), before);
    const snapshot = await openstackJson<Json>(demo, ['image', 'show', 'shelf-shelved']);
    assert.deepEqual([snapshot['status'], (snapshot['properties'] as Json)['instance_uuid']], ['active', id]);

    // Wrong states are 409 naming the state.
    const createImage = await openstack(demo, ['server', 'image', 'create', '--name', 'nope', id]);
    assert.notEqual(createImage.code, 0);
    assert.match(createImage.stderr, /Cannot 'createImage' instance .* while it is in vm_state shelved_offloaded/);
    const offloadAgain = await cloud.compute('POST', `/servers/${id}/action`, { body: { shelveOffload: null } });
    assert.equal(offloadAgain.status, 409);
    assert.match(JSON.stringify(offloadAgain.json), /while it is in vm_state shelved_offloaded/);
    const shelveAgain = await cloud.compute('POST', `/servers/${id}/action`, { body: { shelve: null }, as: 'demo' });
    assert.equal(shelveAgain.status, 409);

    await openstackOk(demo, ['server', 'unshelve', id]);
    const active = await cloud.waitForStatus(id, 'ACTIVE');
    const host = String(active['OS-EXT-SRV-ATTR:host']);
    assert.match(host, /^compute-[12]$/);
    // The unshelved server (m1.tiny) uses its new host, nothing else changed.
    const used = before[host];
    assert.ok(used);
    assert.deepEqual(await cloud.hypervisorUsage(), { ...before, [host]: { vcpus: used.vcpus + 1, memoryMb: used.memoryMb + 128, localGb: used.localGb + 1, runningVms: used.runningVms + 1 } });
    const gone = await openstack(demo, ['image', 'show', String(snapshot['id'])]);
    assert.notEqual(gone.code, 0, 'the shelve snapshot is deleted after unshelve');
    const actions = (await openstackJson<Json[]>(demo, ['server', 'event', 'list', id])).map((event) => event['Action']);
    for (const name of ['create', 'shelve', 'unshelve']) assert.ok(actions.includes(name), actions.join(', '));

    const unshelveActive = await cloud.compute('POST', `/servers/${id}/action`, { body: { unshelve: null }, as: 'demo' });
    assert.equal(unshelveActive.status, 409);
    assert.match(JSON.stringify(unshelveActive.json), /Cannot 'unshelve' instance .* while it is in vm_state active/);
    await remove(id);
    assert.deepEqual(await cloud.hypervisorUsage(), before);
  });

  test('server shelve --offload --wait as admin (shelveOffload is admin-only); deleting the shelved server deletes its snapshot', async () => {
    const id = await boot('shelf-admin');
    const refused = await cloud.compute('POST', `/servers/${id}/action`, { body: { shelveOffload: null }, as: 'demo' });
    assert.equal(refused.status, 403);
    await openstackOk(admin, ['server', 'shelve', '--offload', '--wait', id]);
    assert.equal((await server(id))['status'], 'SHELVED_OFFLOADED');
    const snapshot = await openstackJson<Json>(demo, ['image', 'show', 'shelf-admin-shelved']);
    await remove(id);
    assert.notEqual((await openstack(demo, ['image', 'show', String(snapshot['id'])])).code, 0, 'the shelve snapshot went with the server');
  });
});
