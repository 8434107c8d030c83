import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { promisify } from 'node:util';
import { fakeCliCloud } from '../support/fake-cli-cloud.js';
import { openstack, openstackCliUnavailable, openstackJson, openstackOk, type OpenstackEnv } from '../support/openstack-cli.js';

// The first slice of issue 15's acceptance list, driven through Debian's python3-openstackclient
// (cinderclient at 3.0) against a `nimbus up` child with the file backend.
const run = promisify(execFile);
const skip = openstackCliUnavailable();

type Row = Record<string, unknown>;

describe('volumes through the openstack CLI', { skip }, () => {
  const cloud = fakeCliCloud('volume-cli');
  const backendFiles = () => readdirSync(join(cloud.stateDir, 'volumes')).filter((name) => !name.startsWith('.')).sort();
  /** Polls `volume show` (or `volume snapshot show`) until the status leaves the transient ones. */
  const settled = async (env: OpenstackEnv, kind: 'volume' | 'snapshot', name: string): Promise<Row> => {
    const args = kind === 'volume' ? ['volume', 'show', name] : ['volume', 'snapshot', 'show', name];
    for (let attempt = 0; attempt < 100; attempt += 1) {
      const shown = await openstackJson<Row>(env, args);
      if (!['creating', 'extending', 'deleting', 'downloading'].includes(String(shown['status']))) return shown;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`${kind} ${name} did not settle`);
  };
  const gone = async (env: OpenstackEnv, args: readonly string[]) => {
    for (let attempt = 0; attempt < 100; attempt += 1) {
      if ((await openstack(env, args)).code !== 0) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`${args.join(' ')} still answers`);
  };


  test('volume service list: cinder-scheduler and cinder-volume@file are up', async () => {
    const services = await openstackJson<Row[]>(cloud.admin, ['volume', 'service', 'list']);
    const rows = services.map((row) => [row['Binary'], row['State'], row['Status']]).sort();
    assert.deepEqual(rows, [['cinder-scheduler', 'up', 'enabled'], ['cinder-volume', 'up', 'enabled']]);
    assert.match(String(services.find((row) => row['Binary'] === 'cinder-volume')?.['Host']), /@file$/);
  });

  test('volume create --size 1 → available; list, show, set --name/--property, delete leaves no file', async () => {
    const created = await openstackJson<Row>(cloud.demo, ['volume', 'create', '--size', '1', 'v1']);
    assert.equal(created['status'], 'creating');
    const shown = await settled(cloud.demo, 'volume', 'v1');
    assert.deepEqual([shown['status'], shown['size'], shown['type'], shown['bootable']], ['available', 1, '__DEFAULT__', 'false']);
    assert.deepEqual(backendFiles(), [`volume-${String(shown['id'])}`]);
    const listed = await openstackJson<Row[]>(cloud.demo, ['volume', 'list']);
    assert.deepEqual(listed.map((row) => [row['Name'], row['Status'], row['Size']]), [['v1', 'available', 1]]);
    await openstackOk(cloud.demo, ['volume', 'set', '--name', 'v1b', '--property', 'tier=gold', 'v1']);
    const renamed = await openstackJson<Row>(cloud.demo, ['volume', 'show', 'v1b']);
    assert.deepEqual(renamed['properties'], { tier: 'gold' });
    assert.equal((await openstack(cloud.admin, ['volume', 'list', '--all-projects', '-f', 'json'])).code, 0);
    await openstackOk(cloud.demo, ['volume', 'delete', 'v1b']);
    await gone(cloud.demo, ['volume', 'show', 'v1b']);
    assert.deepEqual(backendFiles(), []);
  });

  test('bad input: size 0 and an unknown type are refused, nothing is created', async () => {
    const zero = await openstack(cloud.demo, ['volume', 'create', '--size', '0', 'bad']);
    assert.notEqual(zero.code, 0);
    assert.match(zero.stderr, /HTTP 400/);
    const unknownType = await openstack(cloud.demo, ['volume', 'create', '--size', '1', '--type', 'nope', 'bad']);
    assert.match(unknownType.stderr, /Volume type with name nope could not be found. \(HTTP 404\)/);
    const tooBig = await openstack(cloud.demo, ['volume', 'create', '--size', '5000', 'bad']);
    assert.match(tooBig.stderr, /exceeds allowed gigabytes quota.*\(HTTP 413\)/);
    assert.deepEqual(await openstackJson<Row[]>(cloud.demo, ['volume', 'list']), []);
  });

  test('volume type create/list; a volume of that type', async () => {
    await openstackOk(cloud.admin, ['volume', 'type', 'create', '--property', 'volume_backend_name=file', 'fast']);
    const types = await openstackJson<Row[]>(cloud.demo, ['volume', 'type', 'list']);
    assert.deepEqual(types.map((row) => row['Name']).sort(), ['__DEFAULT__', 'fast']);
    await openstackOk(cloud.demo, ['volume', 'create', '--size', '1', '--type', 'fast', 'typed']);
    assert.equal((await settled(cloud.demo, 'volume', 'typed'))['type'], 'fast');
    await openstackOk(cloud.demo, ['volume', 'delete', 'typed']);
    await gone(cloud.demo, ['volume', 'show', 'typed']);
  });

  test('snapshot create/list; volume create --snapshot and --source; delete refused while a snapshot exists', async () => {
    await openstackOk(cloud.demo, ['volume', 'create', '--size', '1', 'src']);
    await settled(cloud.demo, 'volume', 'src');
    await openstackOk(cloud.demo, ['volume', 'snapshot', 'create', '--volume', 'src', 's1']);
    assert.equal((await settled(cloud.demo, 'snapshot', 's1'))['status'], 'available');
    const snapshots = await openstackJson<Row[]>(cloud.demo, ['volume', 'snapshot', 'list']);
    assert.deepEqual(snapshots.map((row) => [row['Name'], row['Status'], row['Size']]), [['s1', 'available', 1]]);

    const refused = await openstack(cloud.demo, ['volume', 'delete', 'src']);
    assert.match(refused.stderr, /Volume still has 1 dependent snapshots/);

    await openstackOk(cloud.demo, ['volume', 'create', '--snapshot', 's1', '--size', '2', 'from-snap']);
    const fromSnap = await settled(cloud.demo, 'volume', 'from-snap');
    assert.deepEqual([fromSnap['status'], fromSnap['size']], ['available', 2]);
    await openstackOk(cloud.demo, ['volume', 'create', '--source', 'src', 'clone']);
    const clone = await settled(cloud.demo, 'volume', 'clone');
    assert.deepEqual([clone['status'], clone['source_volid']], ['available', (await openstackJson<Row>(cloud.demo, ['volume', 'show', 'src']))['id']]);

    await openstackOk(cloud.demo, ['volume', 'snapshot', 'delete', 's1']);
    await gone(cloud.demo, ['volume', 'snapshot', 'show', 's1']);
    await openstackOk(cloud.demo, ['volume', 'delete', 'src', 'from-snap', 'clone']);
    for (const name of ['src', 'from-snap', 'clone']) await gone(cloud.demo, ['volume', 'show', name]);
    assert.deepEqual(backendFiles(), []);
  });

  test('volume set --size 2 extends a detached volume; a smaller size is refused', async () => {
    await openstackOk(cloud.demo, ['volume', 'create', '--size', '1', 'grow']);
    await settled(cloud.demo, 'volume', 'grow');
    await openstackOk(cloud.demo, ['volume', 'set', '--size', '2', 'grow']);
    const grown = await settled(cloud.demo, 'volume', 'grow');
    assert.deepEqual([grown['status'], grown['size']], ['available', 2]);
    const smaller = await openstack(cloud.demo, ['volume', 'set', '--size', '1', 'grow']);
    assert.notEqual(smaller.code, 0);
    await openstackOk(cloud.admin, ['volume', 'set', '--state', 'error', 'grow']);
    assert.equal((await openstackJson<Row>(cloud.demo, ['volume', 'show', 'grow']))['status'], 'error');
    await openstackOk(cloud.demo, ['volume', 'delete', 'grow']);
    await gone(cloud.demo, ['volume', 'show', 'grow']);
  });

  test('volume create --image: the image\'s data, bootable, its image metadata', async () => {
    const disk = join(cloud.work, 'disk.qcow2');
    await run('qemu-img', ['create', '-q', '-f', 'qcow2', disk, '64M']);
    await openstackOk(cloud.admin, ['image', 'create', '--file', disk, '--disk-format', 'qcow2', '--container-format', 'bare', '--public', 'tiny']);
    await openstackOk(cloud.demo, ['volume', 'create', '--image', 'tiny', '--size', '1', 'boot']);
    const boot = await settled(cloud.demo, 'volume', 'boot');
    assert.deepEqual([boot['status'], boot['bootable']], ['available', 'true']);
    assert.match(JSON.stringify(boot['volume_image_metadata']), /"image_name": ?"tiny"/);
    await openstackOk(cloud.demo, ['volume', 'delete', 'boot']);
    await gone(cloud.demo, ['volume', 'show', 'boot']);
  });

  test('quota show and limits show include the volume figures', async () => {
    await openstackOk(cloud.demo, ['volume', 'create', '--size', '1', 'counted']);
    await settled(cloud.demo, 'volume', 'counted');
    const quota = await openstackJson<Row>(cloud.admin, ['quota', 'show', 'demo']);
    assert.deepEqual([quota['volumes'], quota['gigabytes'], quota['snapshots'], quota['instances']], [10, 1000, 10, 10]);
    const limits = new Map((await openstackJson<{ Name: string; Value: number }[]>(cloud.demo, ['limits', 'show', '--absolute'])).map((row) => [row.Name, row.Value]));
    assert.deepEqual([limits.get('maxTotalVolumes'), limits.get('totalVolumesUsed'), limits.get('totalGigabytesUsed')], [10, 1, 1]);
  });
});
