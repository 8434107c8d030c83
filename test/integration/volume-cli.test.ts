import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, openSync, closeSync, readdirSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { promisify } from 'node:util';
import { fakeCliCloud } from '../support/fake-cli-cloud.js';
import { openstack, openstackCliUnavailable, openstackJson, openstackOk, type OpenstackEnv } from '../support/openstack-cli.js';
import { openstackRest, pollUntil, type OpenstackRest } from '../support/openstack-rest.js';

// The first slice of issue 15's acceptance list, driven through Debian's python3-openstackclient
// (cinderclient at 3.0) against a `nimbus up` child with the file backend.
const run = promisify(execFile);
const skip = openstackCliUnavailable();

type Row = Record<string, unknown>;

describe('volumes through the openstack CLI', { skip }, () => {
  const cloud = fakeCliCloud('volume-cli');
  const backendFiles = () => readdirSync(join(cloud.stateDir, 'volumes')).filter((name) => !name.startsWith('.')).sort();
  // Polls go over REST (a CLI run costs ~1.8 s of CPU); what the test reads is then read through the CLI.
  const rests = new Map<OpenstackEnv, OpenstackRest>();
  const restOf = (env: OpenstackEnv): OpenstackRest => {
    const rest = rests.get(env) ?? openstackRest(env);
    rests.set(env, rest);
    return rest;
  };
  const COLLECTIONS = { volume: 'volumes', snapshot: 'snapshots', backup: 'backups' } as const;
  type Kind = keyof typeof COLLECTIONS;
  const showArgs = (kind: Kind, name: string) => (kind === 'volume' ? ['volume', 'show', name] : ['volume', kind, 'show', name]);
  const TRANSIENT = ['creating', 'extending', 'deleting', 'downloading', 'uploading', 'backing-up', 'restoring-backup', 'restoring'];
  /** Polls until the status leaves the transient ones, then answers `volume show` (or `volume snapshot show`, `volume backup show`). */
  const settled = async (env: OpenstackEnv, kind: Kind, name: string): Promise<Row> => {
    // Backups read and restores write a whole volume: allow for a loaded machine (100 or 600 polls of the CLI took at least 190 or 1140 s).
    await pollUntil(
      `${kind} ${name} to settle`,
      async () => {
        const shown = await restOf(env).cinder(COLLECTIONS[kind], name);
        if (shown === undefined) throw new Error(`no ${kind} ${name}`);
        return TRANSIENT.includes(String(shown['status'])) ? undefined : true;
      },
      kind === 'volume' ? 190_000 : 1_140_000,
      100,
    );
    return openstackJson<Row>(env, showArgs(kind, name));
  };
  /** Polls until the API lists no such item (100 polls of the CLI took at least 190 s), then asserts its `show` fails. */
  const gone = async (env: OpenstackEnv, kind: Kind, name: string) => {
    await pollUntil(`${kind} ${name} gone`, async () => ((await restOf(env).cinder(COLLECTIONS[kind], name)) === undefined ? true : undefined), 190_000, 100).catch(
      () => undefined,
    );
    const args = showArgs(kind, name);
    assert.notEqual((await openstack(env, args)).code, 0, `${args.join(' ')} still answers`);
  };


  test('volume service list: cinder-scheduler, cinder-volume@file and cinder-backup are up', async () => {
    const services = await openstackJson<Row[]>(cloud.admin, ['volume', 'service', 'list']);
    const rows = services.map((row) => [row['Binary'], row['State'], row['Status']]).sort();
    assert.deepEqual(rows, [['cinder-backup', 'up', 'enabled'], ['cinder-scheduler', 'up', 'enabled'], ['cinder-volume', 'up', 'enabled']]);
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
    await gone(cloud.demo, 'volume', 'v1b');
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
    await gone(cloud.demo, 'volume', 'typed');
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
    await gone(cloud.demo, 'snapshot', 's1');
    await openstackOk(cloud.demo, ['volume', 'delete', 'src', 'from-snap', 'clone']);
    for (const name of ['src', 'from-snap', 'clone']) await gone(cloud.demo, 'volume', name);
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
    await gone(cloud.demo, 'volume', 'grow');
  });

  test('volume create --image: the image\'s data, bootable, its image metadata; image create --volume uploads it', async () => {
    const disk = join(cloud.work, 'disk.qcow2');
    await run('qemu-img', ['create', '-q', '-f', 'qcow2', disk, '64M']);
    await openstackOk(cloud.admin, ['image', 'create', '--file', disk, '--disk-format', 'qcow2', '--container-format', 'bare', '--public', 'tiny']);
    await openstackOk(cloud.demo, ['volume', 'create', '--image', 'tiny', '--size', '1', 'boot']);
    const boot = await settled(cloud.demo, 'volume', 'boot');
    assert.deepEqual([boot['status'], boot['bootable']], ['available', 'true']);
    assert.match(JSON.stringify(boot['volume_image_metadata']), /"image_name": ?"tiny"/);
    const uploaded = await openstackJson<Row>(cloud.demo, ['image', 'create', '--volume', 'boot', '--disk-format', 'qcow2', 'from-boot']);
    assert.deepEqual([uploaded['status'], uploaded['disk_format'], uploaded['volume_type']], ['uploading', 'qcow2', '__DEFAULT__']);
    // The image's data is checked in volume-actions.test.ts; here the CLI's side, and the volume back.
    assert.equal((await settled(cloud.demo, 'volume', 'boot'))['status'], 'available');
    await openstackOk(cloud.demo, ['volume', 'delete', 'boot']);
    await gone(cloud.demo, 'volume', 'boot');
  });

  test('quota show and limits show include the volume figures', async () => {
    await openstackOk(cloud.demo, ['volume', 'create', '--size', '1', 'counted']);
    await settled(cloud.demo, 'volume', 'counted');
    const quota = await openstackJson<Row>(cloud.admin, ['quota', 'show', 'demo']);
    assert.deepEqual([quota['volumes'], quota['gigabytes'], quota['snapshots'], quota['instances']], [10, 1000, 10, 10]);
    const limits = new Map((await openstackJson<{ Name: string; Value: number }[]>(cloud.demo, ['limits', 'show', '--absolute'])).map((row) => [row.Name, row.Value]));
    assert.deepEqual([limits.get('maxTotalVolumes'), limits.get('totalVolumesUsed'), limits.get('totalGigabytesUsed')], [10, 1, 1]);
  });

  test('volume backup create, --incremental, restore byte for byte; a changed chunk fails the restore; a parent with incrementals stays', async () => {
    const volumeFile = (id: unknown) => join(cloud.stateDir, 'volumes', `volume-${String(id)}`);
    const backupDir = (id: unknown) => join(cloud.stateDir, 'backup', `backup-${String(id)}`);
    const onDisk = (id: unknown) => readdirSync(backupDir(id)).reduce((sum, name) => sum + statSync(join(backupDir(id), name)).size, 0);
    const writeInto = (path: string, offset: number, data: Buffer) => {
      const fd = openSync(path, 'r+');
      try {
        writeSync(fd, data, 0, data.length, offset);
      } finally {
        closeSync(fd);
      }
    };
    const sha256Of = async (path: string) => {
      const hash = createHash('sha256');
      for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
      return hash.digest('hex');
    };

    await openstackOk(cloud.demo, ['volume', 'create', '--size', '1', 'precious']);
    const volume = await settled(cloud.demo, 'volume', 'precious');
    // Known bytes through the backend's file, as a guest would have written them.
    writeInto(volumeFile(volume['id']), 0, randomBytes(4 * 1024 * 1024));
    await openstackOk(cloud.demo, ['volume', 'backup', 'create', '--name', 'full', 'precious']);
    const full = await settled(cloud.demo, 'backup', 'full');
    assert.deepEqual([full['status'], full['is_incremental'], full['size']], ['available', false, 1]);
    assert.equal((await settled(cloud.demo, 'volume', 'precious'))['status'], 'available');

    writeInto(volumeFile(volume['id']), 3 * 1024 * 1024, randomBytes(64 * 1024));
    await openstackOk(cloud.demo, ['volume', 'backup', 'create', '--incremental', '--name', 'incr', 'precious']);
    const incremental = await settled(cloud.demo, 'backup', 'incr');
    assert.deepEqual([incremental['status'], incremental['is_incremental']], ['available', true]);
    assert.ok(onDisk(incremental['id']) * 10 < onDisk(full['id']), `incremental ${onDisk(incremental['id'])} bytes, full ${onDisk(full['id'])}`);

    const refused = await openstack(cloud.demo, ['volume', 'backup', 'delete', 'full']);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /Incremental backups exist for this backup/);

    // OSC 6.0's restore prints nothing useful (it cannot show the restore answer); the request is what counts.
    const restore = await openstack(cloud.demo, ['volume', 'backup', 'restore', 'incr', 'restored']);
    assert.doesNotMatch(restore.stderr, /HTTP \d{3}/);
    assert.equal((await settled(cloud.demo, 'backup', 'incr'))['status'], 'available');
    const restored = await settled(cloud.demo, 'volume', 'restored');
    assert.deepEqual([restored['status'], restored['size']], ['available', 1]);
    assert.equal(await sha256Of(volumeFile(restored['id'])), await sha256Of(volumeFile(volume['id'])));

    writeInto(join(backupDir(full['id']), 'backup-00001'), 100, Buffer.from('bit rot'));
    await openstack(cloud.demo, ['volume', 'backup', 'restore', 'full', 'broken']);
    assert.equal((await settled(cloud.demo, 'backup', 'full'))['status'], 'available');
    assert.equal((await settled(cloud.demo, 'volume', 'broken'))['status'], 'error_restoring');
    assert.match(cloud.nimbus.output(), /ERROR nimbus\.volume\.backup .*Restore of backup .* failed: Backup .* object backup-00001 failed its checksum/);

    const quota = await openstackJson<Row>(cloud.admin, ['quota', 'show', 'demo']);
    assert.deepEqual([quota['backups'], quota['backup-gigabytes']], [10, 1000]);

    await openstackOk(cloud.demo, ['volume', 'backup', 'delete', 'incr']);
    await gone(cloud.demo, 'backup', 'incr');
    await openstackOk(cloud.demo, ['volume', 'backup', 'delete', 'full']);
    await gone(cloud.demo, 'backup', 'full');
    assert.deepEqual(readdirSync(join(cloud.stateDir, 'backup')), []);
    await openstackOk(cloud.demo, ['volume', 'delete', 'precious', 'restored', 'broken']);
    for (const name of ['precious', 'restored', 'broken']) await gone(cloud.demo, 'volume', name);
  });
});
