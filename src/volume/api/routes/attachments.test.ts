import assert from 'node:assert/strict';
import { randomInt, randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { RequestContext } from '../../../common/context/request-context.js';
import { findExecutable } from '../../../common/process/find-executable.js';
import { runCommand } from '../../../common/process/run-command.js';
import { storageDaemonBinary } from '../../targets/nbd/storage-daemon.js';
import { memberOf, withVolumeCloud, type VolumeCloud } from '../../testing/volume-cloud.js';

const ALICE = memberOf('alice-project');
const BOB = memberOf('bob-project');
const V = '3.54';
const CONNECTOR = { host: 'compute-1', ip: '127.0.0.1', initiator: null, multipath: false, platform: 'x86_64', os_type: 'linux', mountpoint: '/dev/vdb' };

type Json = Record<string, unknown>;

async function availableVolume(cloud: VolumeCloud, body: Json = { size: 1 }, as: RequestContext = ALICE): Promise<string> {
  const created = await cloud.call('POST', '/volumes', { body: { volume: body }, as });
  assert.equal(created.status, 202, JSON.stringify(created.json));
  const id = String((created.json['volume'] as Json)['id']);
  const settled = (await cloud.settle(`/volumes/${id}`, as)).json['volume'] as Json;
  assert.equal(settled['status'], 'available');
  return id;
}

async function volumeStatus(cloud: VolumeCloud, id: string, as: RequestContext = ALICE): Promise<[unknown, unknown]> {
  const volume = (await cloud.call('GET', `/volumes/${id}`, { as, version: V })).json['volume'] as Json;
  return [volume['status'], (volume['attachments'] as Json[]).length];
}

describe('volume attachments (3.27+) and the attach actions', () => {
  test('create → update → complete → delete walks available → reserved → attaching → in-use → available; the connection is the backend file', () =>
    withVolumeCloud('sqlite', async (cloud) => {
      const volumeId = await availableVolume(cloud);
      const instance = randomUUID();
      assert.equal((await cloud.call('POST', '/attachments', { body: { attachment: { volume_uuid: volumeId, instance_uuid: instance } }, as: ALICE })).status, 404, 'no attachments API at 3.0');

      const created = await cloud.call('POST', '/attachments', { body: { attachment: { volume_uuid: volumeId, instance_uuid: instance } }, as: ALICE, version: V });
      assert.equal(created.status, 200, JSON.stringify(created.json));
      const attachment = created.json['attachment'] as Json;
      assert.equal(attachment['status'], 'reserved');
      assert.deepEqual(attachment['connection_info'], {});
      assert.deepEqual(await volumeStatus(cloud, volumeId), ['reserved', 0]);
      const id = String(attachment['id']);

      const updated = await cloud.call('PUT', `/attachments/${id}`, { body: { attachment: { connector: CONNECTOR } }, as: ALICE, version: V });
      assert.equal(updated.status, 200, JSON.stringify(updated.json));
      const connection = (updated.json['attachment'] as Json)['connection_info'] as Json;
      assert.equal(connection['driver_volume_type'], 'file');
      assert.equal((connection['data'] as Json)['device_path'], cloud.volumePath(volumeId));
      assert.equal((updated.json['attachment'] as Json)['attach_mode'], 'rw');
      assert.deepEqual(await volumeStatus(cloud, volumeId), ['attaching', 0]);

      assert.equal((await cloud.call('POST', `/attachments/${id}/action`, { body: { 'os-complete': null }, as: ALICE, version: '3.43' })).status, 404, 'os-complete is 3.44');
      assert.equal((await cloud.call('POST', `/attachments/${id}/action`, { body: { 'os-complete': null }, as: ALICE, version: V })).status, 204);
      const volume = (await cloud.call('GET', `/volumes/${volumeId}`, { as: ALICE, version: V })).json['volume'] as Json;
      assert.equal(volume['status'], 'in-use');
      const [shown] = volume['attachments'] as Json[];
      assert.deepEqual([shown?.['server_id'], shown?.['attachment_id'], shown?.['host_name'], shown?.['device']], [instance, id, 'compute-1', '/dev/vdb']);
      assert.equal(volume['shared_targets'], false, '3.48 shows shared_targets');

      const listed = (await cloud.call('GET', `/attachments?volume_id=${volumeId}`, { as: ALICE, version: V })).json['attachments'] as Json[];
      assert.deepEqual(listed, [{ id, status: 'attached', instance, volume_id: volumeId }]);
      assert.deepEqual((await cloud.call('GET', '/attachments', { as: BOB, version: V })).json['attachments'], [], 'another project sees none');
      assert.equal((await cloud.call('GET', `/attachments/${id}`, { as: BOB, version: V })).status, 404);

      const deleted = await cloud.call('DELETE', `/attachments/${id}`, { as: ALICE, version: V });
      assert.deepEqual([deleted.status, deleted.json], [200, { attachments: [] }]);
      assert.deepEqual(await volumeStatus(cloud, volumeId), ['available', 0]);
    }));

  test('an in-use volume: a second attachment is 400 unless multiattach, delete is 400, and nothing changes', () =>
    withVolumeCloud('sqlite', async (cloud) => {
      const volumeId = await availableVolume(cloud);
      const first = await cloud.call('POST', '/attachments', { body: { attachment: { volume_uuid: volumeId, instance_uuid: randomUUID(), connector: CONNECTOR } }, as: ALICE, version: V });
      assert.equal(first.status, 200);
      await cloud.call('POST', `/attachments/${String((first.json['attachment'] as Json)['id'])}/action`, { body: { 'os-complete': null }, as: ALICE, version: V });

      const second = await cloud.call('POST', '/attachments', { body: { attachment: { volume_uuid: volumeId, instance_uuid: randomUUID() } }, as: ALICE, version: V });
      assert.equal(second.status, 400);
      assert.match(String((second.json['badRequest'] as Json)['message']), /status must be available or downloading to reserve, but the current status is in-use/);
      const deleted = await cloud.call('DELETE', `/volumes/${volumeId}`, { as: ALICE });
      assert.equal(deleted.status, 400);
      assert.deepEqual(await volumeStatus(cloud, volumeId), ['in-use', 1]);

      const shared = await availableVolume(cloud, { size: 1, multiattach: true });
      for (const server of [randomUUID(), randomUUID()]) {
        const reply = await cloud.call('POST', '/attachments', { body: { attachment: { volume_uuid: shared, instance_uuid: server, connector: CONNECTOR } }, as: ALICE, version: V });
        assert.equal(reply.status, 200, JSON.stringify(reply.json));
        await cloud.call('POST', `/attachments/${String((reply.json['attachment'] as Json)['id'])}/action`, { body: { 'os-complete': null }, as: ALICE, version: V });
      }
      assert.deepEqual(await volumeStatus(cloud, shared), ['in-use', 2]);
    }));

  test('a host other than the service\'s own gets an NBD export with a key of its own; deleting the attachment ends it', { skip: storageDaemonBinary() === undefined ? 'qemu-storage-daemon is not installed' : false }, () =>
    withVolumeCloud(
      'sqlite',
      async (cloud) => {
        const volumeId = await availableVolume(cloud);
        const local = await cloud.call('POST', `/volumes/${volumeId}/action`, { body: { 'os-initialize_connection': { connector: { ...CONNECTOR, host: 'test-host' } } }, as: ALICE });
        assert.equal((local.json['connection_info'] as Json)['driver_volume_type'], 'file', 'the service\'s own host opens the path');

        const created = await cloud.call('POST', '/attachments', { body: { attachment: { volume_uuid: volumeId, instance_uuid: randomUUID(), connector: CONNECTOR } }, as: ALICE, version: V });
        assert.equal(created.status, 200, JSON.stringify(created.json));
        const connection = (created.json['attachment'] as Json)['connection_info'] as Json;
        assert.equal(connection['driver_volume_type'], 'nbd');
        const data = connection['data'] as Json;
        assert.deepEqual([data['host'], data['export_name'], data['access_mode']], ['127.0.0.1', `volume-${volumeId}`, 'rw']);
        assert.match(String(data['psk_key']), /^[0-9a-f]{64}$/);
        assert.equal(await reachable(Number(data['port'])), true);

        const deleted = await cloud.call('DELETE', `/attachments/${String((created.json['attachment'] as Json)['id'])}`, { as: ALICE, version: V });
        assert.equal(deleted.status, 200);
        assert.equal(await reachable(Number(data['port'])), false, 'the export is gone');
        assert.deepEqual(await volumeStatus(cloud, volumeId), ['available', 0]);
      },
      { volume: { target_protocol: 'auto', target_port: String(20_000 + randomInt(0, 20_000)), target_port_count: '50' } },
    ));

  test('an in-use volume extended online (3.42) is exported over NBD at its new size, on the same port and key', { skip: storageDaemonBinary() === undefined || findExecutable('qemu-io') === undefined ? 'qemu-storage-daemon and qemu-io are not installed' : false }, () =>
    withVolumeCloud(
      'sqlite',
      async (cloud) => {
        const volumeId = await availableVolume(cloud);
        const created = await cloud.call('POST', '/attachments', { body: { attachment: { volume_uuid: volumeId, instance_uuid: randomUUID(), connector: CONNECTOR } }, as: ALICE, version: V });
        const data = (((created.json['attachment'] as Json)['connection_info'] as Json)['data']) as Json;
        await cloud.call('POST', `/attachments/${String((created.json['attachment'] as Json)['id'])}/action`, { body: { 'os-complete': null }, as: ALICE, version: V });
        assert.match(await exportLength(data), /^1 GiB/m);

        const extended = await cloud.call('POST', `/volumes/${volumeId}/action`, { body: { 'os-extend': { new_size: 2 } }, as: ALICE, version: '3.42' });
        assert.equal(extended.status, 202, extended.text);
        const volume = (await cloud.settle(`/volumes/${volumeId}`, ALICE)).json['volume'] as Json;
        assert.deepEqual([volume['status'], volume['size']], ['in-use', 2]);
        assert.match(await exportLength(data), /^2 GiB/m, 'a client connecting again sees the new size');
      },
      { volume: { target_protocol: 'auto', target_port: String(20_000 + randomInt(0, 20_000)), target_port_count: '50' } },
    ));

  test('bad attachment bodies are 400: mode before 3.54, no volume, an unknown field', () =>
    withVolumeCloud('sqlite', async (cloud) => {
      const volumeId = await availableVolume(cloud);
      const post = (body: Json, version = V) => cloud.call('POST', '/attachments', { body, as: ALICE, version });
      assert.equal((await post({ attachment: { volume_uuid: volumeId, mode: 'ro' } }, '3.53')).status, 400);
      assert.equal((await post({ attachment: { instance_uuid: randomUUID() } })).status, 400);
      assert.equal((await post({ attachment: { volume_uuid: volumeId, bogus: 1 } })).status, 400);
      assert.equal((await post({ attachment: { volume_uuid: randomUUID() } })).status, 404);
      assert.deepEqual(await volumeStatus(cloud, volumeId), ['available', 0]);
      const ro = await post({ attachment: { volume_uuid: volumeId, mode: 'ro', connector: CONNECTOR } });
      assert.equal((ro.json['attachment'] as Json)['attach_mode'], 'ro');
    }));

  test('the actions before 3.27: reserve, initialize_connection, attach, begin/roll detaching, detach, unreserve', () =>
    withVolumeCloud('sqlite', async (cloud) => {
      const volumeId = await availableVolume(cloud);
      const action = (body: Json) => cloud.call('POST', `/volumes/${volumeId}/action`, { body, as: ALICE });
      assert.equal((await action({ 'os-reserve': null })).status, 202);
      assert.deepEqual(await volumeStatus(cloud, volumeId), ['attaching', 0]);
      assert.equal((await action({ 'os-reserve': null })).status, 400, 'reserved twice');
      assert.equal((await action({ 'os-unreserve': null })).status, 202);
      assert.deepEqual(await volumeStatus(cloud, volumeId), ['available', 0]);

      assert.equal((await action({ 'os-begin_detaching': null })).status, 400, 'nothing to detach');
      await action({ 'os-reserve': null });
      const connection = await action({ 'os-initialize_connection': { connector: CONNECTOR } });
      assert.equal(connection.status, 200);
      assert.equal(((connection.json['connection_info'] as Json)['data'] as Json)['device_path'], cloud.volumePath(volumeId));
      assert.equal((await action({ 'os-attach': { instance_uuid: randomUUID(), mountpoint: '/dev/vdb', mode: 'rw' } })).status, 202);
      assert.deepEqual(await volumeStatus(cloud, volumeId), ['in-use', 1]);
      assert.equal((await action({ 'os-begin_detaching': {} })).status, 202);
      assert.deepEqual(await volumeStatus(cloud, volumeId), ['detaching', 1]);
      assert.equal((await action({ 'os-roll_detaching': {} })).status, 202);
      assert.deepEqual(await volumeStatus(cloud, volumeId), ['in-use', 1]);
      await action({ 'os-begin_detaching': {} });
      assert.equal((await action({ 'os-terminate_connection': { connector: CONNECTOR } })).status, 202);
      assert.equal((await action({ 'os-detach': {} })).status, 202);
      assert.deepEqual(await volumeStatus(cloud, volumeId), ['available', 0]);
    }));

  test('os-extend of an in-use volume: 400 before 3.42, grows and stays in-use from 3.42; smaller is 400', () =>
    withVolumeCloud('sqlite', async (cloud) => {
      const volumeId = await availableVolume(cloud);
      const created = await cloud.call('POST', '/attachments', { body: { attachment: { volume_uuid: volumeId, instance_uuid: randomUUID(), connector: CONNECTOR } }, as: ALICE, version: V });
      await cloud.call('POST', `/attachments/${String((created.json['attachment'] as Json)['id'])}/action`, { body: { 'os-complete': null }, as: ALICE, version: V });
      const extend = (size: number, version?: string) => cloud.call('POST', `/volumes/${volumeId}/action`, { body: { 'os-extend': { new_size: size } }, as: ALICE, ...(version === undefined ? {} : { version }) });
      assert.equal((await extend(2)).status, 400, 'in-use needs 3.42');
      assert.equal((await extend(2, '3.41')).status, 400);
      assert.equal((await extend(1, '3.42')).status, 400, 'not bigger');
      assert.deepEqual(await volumeStatus(cloud, volumeId), ['in-use', 1]);
      assert.equal((await extend(2, '3.42')).status, 202);
      for (let attempt = 0; attempt < 200; attempt += 1) {
        const volume = (await cloud.call('GET', `/volumes/${volumeId}`, { as: ALICE })).json['volume'] as Json;
        if (volume['size'] === 2 && volume['status'] === 'in-use') break;
        assert.ok(['extending', 'in-use'].includes(String(volume['status'])), String(volume['status']));
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      assert.deepEqual(await volumeStatus(cloud, volumeId), ['in-use', 1]);
      assert.equal(((await cloud.call('GET', `/volumes/${volumeId}`, { as: ALICE })).json['volume'] as Json)['size'], 2);
      const { size } = await import('node:fs/promises').then((fs) => fs.stat(cloud.volumePath(volumeId)));
      assert.equal(size, 2 * 1024 ** 3, 'the backend file grew');
    }));
});

/** Whether something listens on the port on 127.0.0.1. */
function reachable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** The size qemu-io reads of an NBD export, connecting with the attachment's key as a compute host's QEMU does. */
async function exportLength(data: Json): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'nimbus-nbd-client-'));
  try {
    await writeFile(join(dir, 'keys.psk'), `${String(data['psk_identity'])}:${String(data['psk_key'])}\n`, { mode: 0o600 });
    const image = `driver=nbd,server.type=inet,server.host=${String(data['host'])},server.port=${String(data['port'])},export=${String(data['export_name'])},tls-creds=tls0`;
    const tls = `tls-creds-psk,id=tls0,endpoint=client,dir=${dir},username=${String(data['psk_identity'])}`;
    return await runCommand('qemu-io', ['--object', tls, '--image-opts', image, '-c', 'length']);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
