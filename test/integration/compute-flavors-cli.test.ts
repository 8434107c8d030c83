import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fakeCliCloud } from '../support/fake-cli-cloud.js';
import { openstack, openstackCliUnavailable, openstackJson } from '../support/openstack-cli.js';

// The flavor, key pair, quota and limits part of issue 5's acceptance list, driven through
// Debian's python3-openstackclient (novaclient at microversion 2.1).
const skip = openstackCliUnavailable();
const ED25519 = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHa8WJ1PVJSfBJ/qkA7BGUmd1yEp7+h/A6E0glWrT8Lc test@nimbus';

describe('flavors, key pairs, quotas and limits through the openstack CLI', { skip }, () => {
  const cloud = fakeCliCloud('compute-cli');

  test('default flavors exist: m1.tiny is 128 MB, 1 vCPU, 1 GB', async () => {
    const tiny = await openstackJson<Record<string, unknown>>(cloud.demo, ['flavor', 'show', 'm1.tiny']);
    assert.deepEqual([tiny['id'], tiny['ram'], tiny['vcpus'], tiny['disk']], ['1', 128, 1, 1]);
  });

  test('flavor create/list/show/set --property/delete', async () => {
    const created = await openstackJson<Record<string, unknown>>(cloud.admin, [
      'flavor', 'create', '--ram', '256', '--vcpus', '2', '--disk', '3', '--swap', '64', '--property', 'hw:cpu_policy=dedicated', 'f1',
    ]);
    assert.equal(created['name'], 'f1');
    const list = await openstackJson<{ Name: string }[]>(cloud.admin, ['flavor', 'list']);
    assert.ok(list.some((row) => row.Name === 'f1'));
    assert.ok(list.some((row) => row.Name === 'm1.small'));
    const set = await openstack(cloud.admin, ['flavor', 'set', '--property', 'a=b', 'f1']);
    assert.equal(set.code, 0, set.stderr);
    const shown = await openstackJson<Record<string, unknown>>(cloud.admin, ['flavor', 'show', 'f1']);
    assert.deepEqual([shown['ram'], shown['vcpus'], shown['disk'], shown['swap']], [256, 2, 3, 64]);
    assert.deepEqual(shown['properties'], { a: 'b', 'hw:cpu_policy': 'dedicated' });
    const refused = await openstack(cloud.demo, ['flavor', 'create', '--ram', '1', '--vcpus', '1', '--disk', '1', 'mine']);
    assert.notEqual(refused.code, 0);
    const deleted = await openstack(cloud.admin, ['flavor', 'delete', 'f1']);
    assert.equal(deleted.code, 0, deleted.stderr);
    const gone = await openstack(cloud.admin, ['flavor', 'show', 'f1']);
    assert.notEqual(gone.code, 0);
  });

  test('a private flavor is invisible to demo until shared with flavor set --project', async () => {
    const created = await openstack(cloud.admin, ['flavor', 'create', '--private', '--ram', '128', '--vcpus', '1', '--disk', '1', 'secret']);
    assert.equal(created.code, 0, created.stderr);
    assert.notEqual((await openstack(cloud.demo, ['flavor', 'show', 'secret'])).code, 0);
    const shared = await openstack(cloud.admin, ['flavor', 'set', '--project', 'demo', 'secret']);
    assert.equal(shared.code, 0, shared.stderr);
    const seen = await openstackJson<Record<string, unknown>>(cloud.demo, ['flavor', 'show', 'secret']);
    assert.equal(seen['os-flavor-access:is_public'], false);
    const privateList = await openstackJson<{ Name: string }[]>(cloud.admin, ['flavor', 'list', '--private']);
    assert.deepEqual(privateList.map((row) => row.Name), ['secret']);
  });

  test('keypair create (private key printed once), import with --public-key, list, show, delete', async () => {
    const generated = await openstack(cloud.demo, ['keypair', 'create', 'k1']);
    assert.equal(generated.code, 0, generated.stderr);
    assert.match(generated.stdout, /-----BEGIN RSA PRIVATE KEY-----/);
    const keyFile = join(cloud.work, 'id_ed25519.pub');
    writeFileSync(keyFile, `${ED25519}\n`);
    const imported = await openstackJson<Record<string, unknown>>(cloud.demo, ['keypair', 'create', '--public-key', keyFile, 'k2']);
    assert.match(String(imported['fingerprint']), /^([0-9a-f]{2}:){15}[0-9a-f]{2}$/);
    const list = await openstackJson<{ Name: string }[]>(cloud.demo, ['keypair', 'list']);
    assert.deepEqual(list.map((row) => row.Name), ['k1', 'k2']);
    assert.deepEqual(await openstackJson<unknown[]>(cloud.admin, ['keypair', 'list']), [], 'key pairs belong to their user');
    const shown = await openstackJson<Record<string, unknown>>(cloud.demo, ['keypair', 'show', 'k2']);
    assert.equal(shown['fingerprint'], imported['fingerprint']);
    const bad = await openstack(cloud.demo, ['keypair', 'create', '--public-key', join(cloud.work, 'missing'), 'k3']);
    assert.notEqual(bad.code, 0);
    writeFileSync(join(cloud.work, 'junk.pub'), 'not a key\n');
    assert.notEqual((await openstack(cloud.demo, ['keypair', 'create', '--public-key', join(cloud.work, 'junk.pub'), 'k3'])).code, 0);
    const deleted = await openstack(cloud.demo, ['keypair', 'delete', 'k1', 'k2']);
    assert.equal(deleted.code, 0, deleted.stderr);
    assert.deepEqual(await openstackJson<unknown[]>(cloud.demo, ['keypair', 'list']), []);
  });

  test('quota set --instances 2 (admin only), then quota list --compute', async () => {
    const set = await openstack(cloud.admin, ['quota', 'set', '--instances', '2', 'demo']);
    assert.equal(set.code, 0, set.stderr);
    assert.notEqual((await openstack(cloud.demo, ['quota', 'set', '--instances', '5', 'demo'])).code, 0, 'only admins set quotas');
    const listed = await openstackJson<Record<string, unknown>[]>(cloud.admin, ['quota', 'list', '--compute', '--project', 'demo']);
    assert.deepEqual([listed[0]?.['Instances'], listed[0]?.['Cores'], listed[0]?.['Key Pairs']], [2, 20, 100]);
  });

  // OSC 6.0's `quota show` (which has no --compute) and `limits show` also ask Cinder and Neutron
  // whenever the catalog lists them; it lists only the services that serve their API (volume's
  // figures are checked in volume-cli.test.ts).
  test('quota show and limits show --absolute', async () => {
    const shown = await openstackJson<Record<string, unknown>>(cloud.admin, ['quota', 'show', 'demo']);
    assert.deepEqual([shown['instances'], shown['cores'], shown['ram']], [2, 20, 51200]);
    const limits = await openstackJson<{ Name: string; Value: number }[]>(cloud.demo, ['limits', 'show', '--absolute']);
    const byName = new Map(limits.map((row) => [row.Name, row.Value]));
    assert.equal(byName.get('maxTotalInstances'), 2);
    assert.equal(byName.get('totalInstancesUsed'), 0);
    assert.equal(byName.get('maxTotalKeypairs'), 100);
  });
});
