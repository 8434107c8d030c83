import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import { startComputeCloud, type ComputeCloud, type HypervisorUsage } from '../support/compute-cloud.js';
import { openstack, openstackCliUnavailable, openstackJson, openstackOk, type OpenstackEnv } from '../support/openstack-cli.js';

// Issue 6's pause/unpause, suspend/resume, rescue/unrescue and rebuild acceptance, through
// Debian's python3-openstackclient against an all-in-one cloud with two fake compute hosts.
const skip = openstackCliUnavailable();

type Row = Record<string, unknown>;

describe('pause, suspend, rescue and rebuild through the openstack CLI', { skip }, () => {
  let cloud: ComputeCloud;
  let demo: OpenstackEnv;
  let otherImage = '';
  /** Two servers of the demo project, one on each host. */
  const ids: string[] = [];
  let booted: HypervisorUsage;
  const work = mkdtempSync(join(tmpdir(), 'nimbus-guest-cli-'));

  const ok = (args: readonly string[]) => openstackOk(demo, args);
  /** Runs a command that must be refused; returns what the CLI printed. */
  const refused = async (args: readonly string[]) => {
    const result = await openstack(demo, args);
    assert.notEqual(result.code, 0, `${args.join(' ')} should have failed: ${result.stdout}`);
    return result.stderr;
  };
  /** The server once it shows `status` (polled over REST every 100 ms: the CLI's own --wait sleeps 5 s). */
  const settled = (id: string, status: string) => cloud.waitForStatus(id, status, 'admin');
  const rest = async (method: string, path: string, body?: unknown) => {
    const reply = await cloud.compute(method, path, { as: 'demo', ...(body === undefined ? {} : { body }) });
    assert.ok(reply.status < 300, `${method} ${path}: ${reply.status} ${JSON.stringify(reply.json)}`);
    return reply.json;
  };
  const action = (id: string, body: unknown) => rest('POST', `/servers/${id}/action`, body);
  /**
   * Polls os-hypervisors until it shows `expected` (agents report right after a change, but after
   * the status the test waited for): a leak or a lost claim never settles and fails here.
   */
  const usageSettlesTo = async (expected: HypervisorUsage, message: string) => {
    assert.deepEqual(await cloud.usageWhen((usage) => isDeepStrictEqual(usage, expected)), expected, message);
  };
  const actionsOf = async (id: string) => (await openstackJson<Row[]>(demo, ['server', 'event', 'list', id])).map((row) => row['Action']);

  before(async () => {
    cloud = await startComputeCloud('guest-cli', { hosts: 2 });
    demo = cloud.cli.demo;
    const disk = join(work, 'other.raw');
    writeFileSync(disk, Buffer.alloc(1 << 20, 0x11));
    const image = await openstackJson<Row>(cloud.cli.admin, ['image', 'create', '--file', disk, '--disk-format', 'raw', '--container-format', 'bare', '--public', 'other']);
    otherImage = String(image['id']);
    for (const name of ['vm-a', 'vm-b']) {
      const created = await rest('POST', '/servers', { server: { name, imageRef: cloud.imageId, flavorRef: '1' } });
      const id = String((created['server'] as Row)['id']);
      await settled(id, 'ACTIVE');
      ids.push(id);
    }
    // Both guests are m1.tiny (1 vCPU, 128 MB, 1 GB), one per host.
    booted = { 'compute-1': { vcpus: 1, memoryMb: 128, localGb: 1, runningVms: 1 }, 'compute-2': { vcpus: 1, memoryMb: 128, localGb: 1, runningVms: 1 } };
    await usageSettlesTo(booted, 'two running m1.tiny guests');
  });
  after(async () => {
    await cloud.stop();
    rmSync(work, { recursive: true, force: true });
  });

  test('the two servers run on two hosts', async () => {
    const hosts = await Promise.all(ids.map(async (id) => (await settled(id, 'ACTIVE'))['OS-EXT-SRV-ATTR:host']));
    assert.deepEqual(hosts.sort(), ['compute-1', 'compute-2']);
  });

  test('server pause/unpause and suspend/resume: status and power state after each; the events record them', async () => {
    const [a = '', b = ''] = ids;
    await ok(['server', 'pause', a, b]);
    for (const id of ids) assert.equal((await settled(id, 'PAUSED'))['OS-EXT-STS:power_state'], 3);
    await ok(['server', 'unpause', a, b]);
    for (const id of ids) assert.equal((await settled(id, 'ACTIVE'))['OS-EXT-STS:power_state'], 1);
    await ok(['server', 'suspend', a]);
    assert.equal((await settled(a, 'SUSPENDED'))['OS-EXT-STS:power_state'], 7);
    await ok(['server', 'resume', a]);
    assert.equal((await settled(a, 'ACTIVE'))['OS-EXT-STS:power_state'], 1);
    const actions = await actionsOf(a);
    for (const name of ['pause', 'unpause', 'suspend', 'resume']) assert.ok(actions.includes(name), actions.join(', '));
    await usageSettlesTo(booted, 'paused and suspended guests keep their resources');
  });

  test('server rescue/unrescue, with the own image and with --image and --password; the host stays', async () => {
    const b = ids[1] ?? '';
    const host = (await settled(b, 'ACTIVE'))['OS-EXT-SRV-ATTR:host'];
    await ok(['server', 'rescue', b]);
    assert.equal((await settled(b, 'RESCUE'))['OS-EXT-STS:vm_state'], 'rescued');
    await ok(['server', 'unrescue', b]);
    await settled(b, 'ACTIVE');
    await ok(['server', 'rescue', '--image', 'other', '--password', 'Sesame-42', b]);
    await settled(b, 'RESCUE');
    const console = await rest('POST', `/servers/${b}/action`, { 'os-getConsoleOutput': { length: 5 } });
    assert.match(String(console['output']), new RegExp(`rescue boot from image ${otherImage}`));
    assert.match(await refused(['server', 'rescue', b]), new RegExp(`Cannot 'rescue' instance ${b} while it is in vm_state rescued`));
    await ok(['server', 'unrescue', b]);
    assert.equal((await settled(b, 'ACTIVE'))['OS-EXT-SRV-ATTR:host'], host);
    assert.equal((await actionsOf(b)).filter((name) => name === 'rescue' || name === 'unrescue').length, 4);
  });

  test('server rebuild --image --wait: the new image shown, the same host; a SHUTOFF server is rebuilt and stays SHUTOFF', async () => {
    const [a = '', b = ''] = ids;
    const host = (await settled(a, 'ACTIVE'))['OS-EXT-SRV-ATTR:host'];
    const result = await ok(['server', 'rebuild', '--image', 'other', '--password', 'New-pass-1', '--wait', a, '-f', 'json']);
    // --wait prints "Complete" before the server.
    const rebuilt = JSON.parse(result.stdout.slice(result.stdout.indexOf('{'))) as Row;
    assert.deepEqual([rebuilt['id'], rebuilt['image'], rebuilt['adminPass']], [a, `other (${otherImage})`, 'New-pass-1']);
    const shown = await settled(a, 'ACTIVE');
    assert.deepEqual([(shown['image'] as Row)['id'], shown['OS-EXT-SRV-ATTR:host']], [otherImage, host]);

    await action(b, { 'os-stop': null });
    await settled(b, 'SHUTOFF');
    await ok(['server', 'rebuild', '--image', 'other', b]);
    const stopped = await settled(b, 'SHUTOFF');
    assert.deepEqual([(stopped['image'] as Row)['id'], stopped['OS-EXT-STS:task_state'], stopped['OS-EXT-STS:power_state']], [otherImage, null, 4]);
    assert.ok((await actionsOf(b)).includes('rebuild'));
    await action(b, { 'os-start': null });
    await settled(b, 'ACTIVE');
    await usageSettlesTo(booted, 'a rebuild claims nothing new and keeps its own');
  });

  test('wrong states are 409 naming the state; a locked server refuses its owner every one of these actions', async () => {
    const a = ids[0] ?? '';
    await action(a, { 'os-stop': null });
    await settled(a, 'SHUTOFF');
    assert.match(await refused(['server', 'pause', a]), new RegExp(`Cannot 'pause' instance ${a} while it is in vm_state stopped`));
    assert.match(await refused(['server', 'suspend', a]), /Cannot 'suspend' instance .* while it is in vm_state stopped/);
    assert.match(await refused(['server', 'unrescue', a]), /Cannot 'unrescue' instance .* while it is in vm_state stopped/);
    assert.equal((await settled(a, 'SHUTOFF'))['OS-EXT-STS:task_state'], null);
    await action(a, { 'os-start': null });
    await settled(a, 'ACTIVE');
    assert.match(await refused(['server', 'unpause', a]), /Cannot 'unpause' instance .* while it is in vm_state active/);

    await ok(['server', 'lock', a]);
    for (const args of [['pause'], ['suspend'], ['rescue'], ['rebuild', '--image', 'other']]) {
      assert.match(await refused(['server', ...args, a]), new RegExp(`Instance ${a} is locked`), args.join(' '));
    }
    assert.equal((await settled(a, 'ACTIVE'))['OS-EXT-STS:task_state'], null);
    await ok(['server', 'unlock', a]);
  });

  test('deleting both servers gives every resource back', async () => {
    for (const id of ids) await rest('DELETE', `/servers/${id}`);
    for (const id of ids) {
      for (let attempt = 0; (await cloud.compute('GET', `/servers/${id}`, { as: 'demo' })).status !== 404; attempt += 1) {
        assert.ok(attempt < 150, `${id} was not deleted`);
        await sleep(200);
      }
    }
    const idle = { vcpus: 0, memoryMb: 0, localGb: 0, runningVms: 0 };
    await usageSettlesTo({ 'compute-1': idle, 'compute-2': idle }, 'every claim released');
  });
});
