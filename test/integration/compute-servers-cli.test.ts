import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { freePort } from '../support/free-port.js';
import { runNimbus, type NimbusProcess } from '../support/nimbus-process.js';
import { openstack, openstackCliUnavailable, openstackJson, parseOpenrc, type OpenstackEnv } from '../support/openstack-cli.js';

// The servers and admin part of issue 5's acceptance list, through Debian's
// python3-openstackclient against an all-in-one cloud with two fake compute hosts.
const skip = openstackCliUnavailable();
const run = promisify(execFile);

type Server = Record<string, unknown>;

function demoPassword(stateDir: string): string {
  const yaml = readFileSync(join(stateDir, 'clouds.yaml'), 'utf8');
  const match = /nimbus-demo:[\s\S]*?password: '((?:[^']|'')*)'/.exec(yaml);
  if (match?.[1] === undefined) throw new Error('no nimbus-demo password in clouds.yaml');
  return match[1].replaceAll("''", "'");
}

describe('servers and compute admin through the openstack CLI', { skip }, () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'nimbus-servers-cli-'));
  const work = mkdtempSync(join(tmpdir(), 'nimbus-servers-files-'));
  let nimbus: NimbusProcess;
  let admin: OpenstackEnv;
  let demo: OpenstackEnv;

  const show = (env: OpenstackEnv, server: string) => openstackJson<Server>(env, ['server', 'show', server]);
  /** The admin sees admin-only fields; as with Nova, an admin finds another project's server by id, not by name. */
  const adminShow = async (server: string) => show(admin, String((await show(demo, server))['id']));
  /** Polls `server show` until the status is reached (the CLI's own --wait polls only every 5 s). */
  async function waitForStatus(server: string, status: string): Promise<Server> {
    for (let attempt = 0; attempt < 150; attempt += 1) {
      const shown = await show(demo, server);
      if (shown['status'] === status) return shown;
      if (shown['status'] === 'ERROR' && status !== 'ERROR') throw new Error(`${server} went to ERROR: ${JSON.stringify(shown['fault'])}`);
      await sleep(200);
    }
    throw new Error(`${server} never reached ${status}`);
  }
  const boot = (env: OpenstackEnv, name: string, extra: readonly string[] = []) =>
    openstackJson<Server>(env, ['server', 'create', '--image', 'cirros', '--flavor', 'm1.tiny', ...extra, '--wait', name]);
  const ok = async (env: OpenstackEnv, args: readonly string[]) => {
    const result = await openstack(env, args);
    assert.equal(result.code, 0, `${args.join(' ')}: ${result.stderr}`);
    return result;
  };

  before(async () => {
    const port = await freePort();
    nimbus = runNimbus(['up', '--state-dir', stateDir, '--port', String(port), '--driver', 'fake', '--compute-hosts', '2']);
    await nimbus.waitFor(/Nimbus all-in-one cloud is running/);
    admin = parseOpenrc(readFileSync(join(stateDir, 'admin-openrc'), 'utf8'));
    demo = { ...admin, OS_USERNAME: 'demo', OS_PASSWORD: demoPassword(stateDir), OS_PROJECT_NAME: 'demo' };
    const disk = join(work, 'disk.qcow2');
    writeFileSync(join(work, 'pattern.raw'), Buffer.alloc(1 << 20, 0x5a));
    await run('qemu-img', ['convert', '-f', 'raw', '-O', 'qcow2', join(work, 'pattern.raw'), disk]);
    await ok(admin, ['image', 'create', 'cirros', '--file', disk, '--disk-format', 'qcow2', '--container-format', 'bare', '--public']);
  });
  after(async () => {
    nimbus.child.kill('SIGTERM');
    await nimbus.exited();
    rmSync(work, { recursive: true, force: true });
    rmSync(stateDir, { recursive: true, force: true });
  });

  test('compute service list, hypervisor list and show, availability zone list', async () => {
    const services = await openstackJson<Record<string, unknown>[]>(admin, ['compute', 'service', 'list']);
    const rows = services.map((row) => `${String(row['Binary'])}@${String(row['Host'])}:${String(row['State'])}`);
    for (const expected of ['nova-compute@compute-1:up', 'nova-compute@compute-2:up']) assert.ok(rows.includes(expected), rows.join(', '));
    assert.ok(services.some((row) => row['Binary'] === 'nova-scheduler'));
    assert.ok(services.some((row) => row['Binary'] === 'nova-conductor'));
    const hypervisors = await openstackJson<Record<string, unknown>[]>(admin, ['hypervisor', 'list']);
    assert.deepEqual(hypervisors.map((row) => row['Hypervisor Hostname']).sort(), ['compute-1', 'compute-2']);
    // show also asks for the uptime, which no driver reports: Nova's 501, which the CLI skips.
    const hypervisor = await openstackJson<Record<string, unknown>>(admin, ['hypervisor', 'show', 'compute-1']);
    assert.deepEqual([hypervisor['hypervisor_hostname'], hypervisor['service_host'], hypervisor['state']], ['compute-1', 'compute-1', 'up']);
    const zones = await openstackJson<Record<string, unknown>[]>(demo, ['availability', 'zone', 'list', '--compute']);
    assert.deepEqual(zones.map((row) => [row['Zone Name'], row['Zone Status']]), [['nova', 'available']]);
  });

  test('server create --wait, list --long, show; stop/start/reboot; lock/unlock; console log; events; delete --wait', async () => {
    const created = await boot(demo, 'vm1');
    assert.equal(created['status'], 'ACTIVE');
    const long = await openstackJson<Record<string, unknown>[]>(demo, ['server', 'list', '--long']);
    // -f json prints the raw power state: 1 is RUNNING.
    assert.deepEqual(long.map((row) => [row['Name'], row['Status'], row['Power State']]), [['vm1', 'ACTIVE', 1]]);
    const shown = await show(demo, 'vm1');
    assert.equal(shown['OS-EXT-STS:vm_state'], 'active');
    assert.equal(shown['OS-EXT-SRV-ATTR:host'], undefined, 'admin-only fields are hidden from members');
    assert.match(String((await adminShow('vm1'))['OS-EXT-SRV-ATTR:host']), /^compute-[12]$/);

    await ok(demo, ['server', 'stop', 'vm1']);
    await waitForStatus('vm1', 'SHUTOFF');
    await ok(demo, ['server', 'start', 'vm1']);
    await waitForStatus('vm1', 'ACTIVE');
    await ok(demo, ['server', 'reboot', '--soft', 'vm1']);
    await waitForStatus('vm1', 'ACTIVE');
    await ok(demo, ['server', 'reboot', '--hard', '--wait', 'vm1']);
    await waitForStatus('vm1', 'ACTIVE');

    await ok(demo, ['server', 'lock', 'vm1']);
    const refused = await openstack(demo, ['server', 'stop', 'vm1']);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /is locked/);
    await ok(demo, ['server', 'unlock', 'vm1']);

    await ok(demo, ['console', 'log', 'show', 'vm1']);
    const events = await openstackJson<Record<string, unknown>[]>(demo, ['server', 'event', 'list', 'vm1']);
    const actions = events.map((row) => row['Action']);
    for (const action of ['create', 'stop', 'start', 'reboot', 'lock', 'unlock']) assert.ok(actions.includes(action), actions.join(', '));
    const createEvent = events.find((row) => row['Action'] === 'create');
    const detail = await openstackJson<Record<string, unknown>>(demo, ['server', 'event', 'show', 'vm1', String(createEvent?.['Request ID'])]);
    assert.equal(detail['action'], 'create');

    await ok(demo, ['server', 'delete', '--wait', 'vm1']);
    assert.deepEqual(await openstackJson<unknown[]>(demo, ['server', 'list']), []);
  });

  test('aggregate create --zone az1 + add host: a boot into az1 lands on that host', async () => {
    await ok(admin, ['aggregate', 'create', '--zone', 'az1', 'agg1']);
    await ok(admin, ['aggregate', 'add', 'host', 'agg1', 'compute-2']);
    const zones = await openstackJson<Record<string, unknown>[]>(demo, ['availability', 'zone', 'list', '--compute']);
    assert.deepEqual(zones.map((row) => row['Zone Name']).sort(), ['az1', 'nova']);
    await boot(demo, 'in-az1', ['--availability-zone', 'az1']);
    const shown = await adminShow('in-az1');
    assert.deepEqual([shown['OS-EXT-SRV-ATTR:host'], shown['OS-EXT-AZ:availability_zone']], ['compute-2', 'az1']);
    await ok(demo, ['server', 'delete', '--wait', 'in-az1']);
    await ok(admin, ['aggregate', 'remove', 'host', 'agg1', 'compute-2']);
    await ok(admin, ['aggregate', 'delete', 'agg1']);
  });

  test('server group create --policy anti-affinity: two boots land on two hosts, a third is ERROR No valid host', async () => {
    const group = await openstackJson<Record<string, unknown>>(demo, ['server', 'group', 'create', '--policy', 'anti-affinity', 'spread']);
    const hint = ['--hint', `group=${String(group['id'])}`];
    await boot(demo, 'g1', hint);
    await boot(demo, 'g2', hint);
    const hosts = [(await adminShow('g1'))['OS-EXT-SRV-ATTR:host'], (await adminShow('g2'))['OS-EXT-SRV-ATTR:host']];
    assert.deepEqual([...hosts].sort(), ['compute-1', 'compute-2']);
    const third = await openstack(demo, ['server', 'create', '--image', 'cirros', '--flavor', 'm1.tiny', ...hint, '--wait', 'g3']);
    // OSC 6 ends `create --wait` on ERROR with a bare `raise SystemExit`: exit code 0, so read what it printed.
    assert.match(third.stdout + third.stderr, /Error creating server/);
    const failed = await waitForStatus('g3', 'ERROR');
    assert.match(JSON.stringify(failed['fault']), /No valid host was found/);
    for (const name of ['g1', 'g2', 'g3']) await ok(demo, ['server', 'delete', '--wait', name]);
    await ok(demo, ['server', 'group', 'delete', 'spread']);
  });

  test('compute service set --disable compute-1: a boot right after it never lands there; --enable puts it back', async () => {
    await ok(admin, ['compute', 'service', 'set', '--disable', '--disable-reason', 'maintenance', 'compute-1', 'nova-compute']);
    // Right away, without --wait (the CLI polls every 5 s): the scheduler must know now, not at
    // its next service refresh. Two servers in one request would otherwise spread over both hosts.
    await ok(demo, ['server', 'create', '--image', 'cirros', '--flavor', 'm1.tiny', '--min', '2', '--max', '2', 'd']);
    for (const name of ['d-1', 'd-2']) {
      await waitForStatus(name, 'ACTIVE');
      assert.equal((await adminShow(name))['OS-EXT-SRV-ATTR:host'], 'compute-2', `${name} landed on the disabled host`);
    }
    const listed = await openstackJson<Record<string, unknown>[]>(admin, ['compute', 'service', 'list', '--service', 'nova-compute', '--long']);
    assert.deepEqual(listed.map((row) => [row['Host'], row['Status'], row['Disabled Reason']]).sort(), [['compute-1', 'disabled', 'maintenance'], ['compute-2', 'enabled', null]]);
    await ok(admin, ['compute', 'service', 'set', '--enable', 'compute-1', 'nova-compute']);
    for (const name of ['d-1', 'd-2']) await ok(demo, ['server', 'delete', '--wait', name]);
  });

  test('quota set --instances 2: the third boot is refused with the quota error', async () => {
    await ok(admin, ['quota', 'set', '--instances', '2', 'demo']);
    await boot(demo, 'q1');
    await boot(demo, 'q2');
    const third = await openstack(demo, ['server', 'create', '--image', 'cirros', '--flavor', 'm1.tiny', 'q3']);
    assert.notEqual(third.code, 0);
    assert.match(third.stderr, /Quota exceeded for instances: Requested 1, but already used 2 of 2 instances/);
    const names = (await openstackJson<Record<string, unknown>[]>(demo, ['server', 'list'])).map((row) => row['Name']);
    assert.deepEqual(names.sort(), ['q1', 'q2']);
  });

  test('usage list (admin) and usage show (demo): the servers that ran in the period, deleted ones included', async () => {
    const project = String((await openstackJson<Record<string, unknown>>(admin, ['project', 'show', 'demo']))['id']);
    // -f json prints the Servers column as the server usages themselves.
    const names = (row: Record<string, unknown> | undefined) => ((row?.['Servers'] ?? []) as Record<string, unknown>[]).map((server) => String(server['name'])).sort();
    const listed = await openstackJson<Record<string, unknown>[]>(admin, ['usage', 'list']);
    const shown = await openstackJson<Record<string, unknown>>(demo, ['usage', 'show']);
    assert.deepEqual(names(listed.find((row) => row['Project'] === project)), names(shown));
    // q1 and q2 still run; vm1 ran and was deleted; g3 never launched, so it never ran.
    for (const name of ['q1', 'q2', 'vm1']) assert.ok(names(shown).includes(name), names(shown).join(', '));
    assert.ok(!names(shown).includes('g3'));
  });
});
