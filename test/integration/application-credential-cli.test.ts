import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { freePort } from '../support/free-port.js';
import { runNimbus, type NimbusProcess } from '../support/nimbus-process.js';
import { openstack, openstackCliUnavailable, openstackJson, openstackOk, parseOpenrc, type OpenstackEnv } from '../support/openstack-cli.js';
import { openstackRest, pollUntil } from '../support/openstack-rest.js';

// Keystone application credentials (issue 16), driven through Debian's python3-openstackclient
// and keystoneauth's v3applicationcredential plugin.
const skip = openstackCliUnavailable();

interface Credential {
  id: string;
  name: string;
  secret: string;
  roles: string;
  unrestricted: boolean;
}

type Json = Record<string, unknown>;

interface Token {
  id: string;
  project_id: string;
  user_id: string;
}

describe('application credentials through the openstack CLI', { skip }, () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'nimbus-appcred-cli-'));
  let nimbus: NimbusProcess;
  let admin: OpenstackEnv;
  let demo: OpenstackEnv;
  /** What every application-credential environment shares with the openrc: where the cloud is. */
  let cloud: OpenstackEnv;

  before(async () => {
    const port = await freePort();
    nimbus = runNimbus(['up', '--state-dir', stateDir, '--port', String(port), '--driver', 'fake']);
    await nimbus.waitFor(/Nimbus all-in-one cloud is running/);
    admin = parseOpenrc(readFileSync(join(stateDir, 'admin-openrc'), 'utf8'));
    await openstackOk(admin, ['user', 'set', '--password', 'demo-secret', 'demo']);
    demo = { ...admin, OS_USERNAME: 'demo', OS_PASSWORD: 'demo-secret', OS_PROJECT_NAME: 'demo' };
    cloud = Object.fromEntries(
      Object.entries(admin).filter(([name]) => ['OS_AUTH_URL', 'OS_REGION_NAME', 'OS_INTERFACE', 'OS_IDENTITY_API_VERSION'].includes(name)),
    );
  });
  after(() => {
    nimbus.child.kill('SIGKILL');
    rmSync(stateDir, { recursive: true, force: true });
  });

  /** The CLI environment of an application credential, by its id. */
  const credentialEnv = (created: Credential): OpenstackEnv => ({
    ...cloud,
    OS_AUTH_TYPE: 'v3applicationcredential',
    OS_APPLICATION_CREDENTIAL_ID: created.id,
    OS_APPLICATION_CREDENTIAL_SECRET: created.secret,
  });

  /** Calls on the REST API with a token of the credential, as a script of its user makes them. */
  const credentialApi = async (created: Credential) => {
    const token = await openstackJson<Token>(credentialEnv(created), ['token', 'issue']);
    const base = String(cloud['OS_AUTH_URL']).replace(/\/identity(\/v3)?\/?$/, '');
    return async (method: string, path: string, body?: unknown): Promise<{ status: number; json: Json }> => {
      const response = await fetch(`${base}${path}`, {
        method,
        headers: { 'x-auth-token': token.id, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await response.text();
      return { status: response.status, json: text === '' ? {} : (JSON.parse(text) as Json) };
    };
  };

  /** Deletes the demo user's credential `name` and then its access rules, which Keystone keeps past the credential. */
  const deleteCredential = async (name: string) => {
    await openstackOk(demo, ['application', 'credential', 'delete', name]);
    for (const rule of await openstackJson<{ ID: string }[]>(demo, ['access', 'rule', 'list'])) await openstackOk(demo, ['access', 'rule', 'delete', rule.ID]);
  };

  test('create prints the secret; the credential runs server list and token issue; after delete it gets 401', async () => {
    const created = await openstackJson<Credential>(demo, ['application', 'credential', 'create', '--role', 'member', 'demo-cred']);
    assert.equal(created.name, 'demo-cred');
    assert.match(created.secret, /^[A-Za-z0-9_-]{86}$/);
    assert.match(created.roles, /member/);
    assert.equal(created.unrestricted, false);
    const listed = await openstackJson<{ Name: string }[]>(demo, ['application', 'credential', 'list']);
    assert.deepEqual(listed.map((row) => row.Name), ['demo-cred']);

    const byId = credentialEnv(created);
    const own = await openstackJson<Token>(demo, ['token', 'issue']);
    const token = await openstackJson<Token>(byId, ['token', 'issue']);
    assert.deepEqual([token.project_id, token.user_id], [own.project_id, own.user_id], "the demo user on the credential's project");
    const servers = await openstack(byId, ['server', 'list']);
    assert.equal(servers.code, 0, servers.stderr);

    const restricted = await openstack(byId, ['application', 'credential', 'create', 'another']);
    assert.notEqual(restricted.code, 0);
    assert.match(restricted.stderr, /403|not allowed for managing additional application credentials/);

    await openstackOk(demo, ['application', 'credential', 'delete', 'demo-cred']);
    for (const args of [['token', 'issue'], ['server', 'list']]) {
      const refused = await openstack(byId, args);
      assert.notEqual(refused.code, 0, args.join(' '));
      assert.match(refused.stderr, /401|authenticat/i, args.join(' '));
    }
  });

  test('access rules limit the credential to the calls they name; access rule list, show and delete', async () => {
    const rules = JSON.stringify([{ service: 'compute', method: 'GET', path: '/v2.1/servers/detail' }]);
    const created = await openstackJson<Credential & { access_rules: string }>(demo, ['application', 'credential', 'create', '--access-rules', rules, 'listing-only']);
    const limited = credentialEnv(created);
    const servers = await openstack(limited, ['server', 'list', '--no-name-lookup']);
    assert.equal(servers.code, 0, servers.stderr);
    for (const args of [['flavor', 'list'], ['image', 'list']]) {
      const refused = await openstack(limited, args);
      assert.notEqual(refused.code, 0, args.join(' '));
      assert.match(refused.stderr, /401|authenticat|authoriz/i, args.join(' '));
    }

    const listed = await openstackJson<{ ID: string; Service: string; Method: string; Path: string }[]>(demo, ['access', 'rule', 'list']);
    assert.deepEqual(listed.map((row) => [row.Service, row.Method, row.Path]), [['compute', 'GET', '/v2.1/servers/detail']]);
    const ruleId = listed[0]?.ID ?? '';
    const shown = await openstackJson<{ id: string; path: string }>(demo, ['access', 'rule', 'show', ruleId]);
    assert.deepEqual([shown.id, shown.path], [ruleId, '/v2.1/servers/detail']);
    const inUse = await openstack(demo, ['access', 'rule', 'delete', ruleId]);
    assert.notEqual(inUse.code, 0, 'a rule in use stays');
    await openstackOk(demo, ['application', 'credential', 'delete', 'listing-only']);
    await openstackOk(demo, ['access', 'rule', 'delete', ruleId]);
    assert.deepEqual(await openstackJson<unknown[]>(demo, ['access', 'rule', 'list']), []);
  });

  test("a credential limited to GET /v2.1/servers/** shows a server's security groups, as Nova's service token lets it, and is refused the network API", async () => {
    await openstackOk(demo, ['image', 'create', '--disk-format', 'raw', '--container-format', 'bare', '--file', '/dev/null', 'blank']);
    const server = await openstackJson<{ id: string }>(demo, ['server', 'create', '--image', 'blank', '--flavor', 'm1.tiny', '--network', 'private', '--wait', 'guarded']);
    const created = await openstackJson<Credential>(demo, [
      'application', 'credential', 'create', '--access-rules', JSON.stringify([{ service: 'compute', method: 'GET', path: '/v2.1/servers/**' }]), 'servers-only',
    ]);
    try {
      const api = await credentialApi(created);
      // Nova reads the groups from Neutron with the user's token and its own service token: the rules are not asked there.
      const shown = await api('GET', `/compute/v2.1/servers/${server.id}`);
      assert.equal(shown.status, 200, JSON.stringify(shown.json));
      assert.deepEqual((shown.json['server'] as Json)['security_groups'], [{ name: 'default' }]);
      const detail = await api('GET', '/compute/v2.1/servers/detail');
      assert.equal(detail.status, 200, JSON.stringify(detail.json));
      assert.deepEqual((detail.json['servers'] as Json[]).map((row) => [row['id'], row['security_groups']]), [[server.id, [{ name: 'default' }]]]);

      // The user's own call to Neutron comes without a service token: no rule allows it.
      const groups = await api('GET', '/network/v2.0/security-groups');
      assert.equal(groups.status, 401, JSON.stringify(groups.json));
    } finally {
      await deleteCredential('servers-only');
      await openstackOk(demo, ['server', 'delete', '--wait', server.id]);
      await openstackOk(demo, ['image', 'delete', 'blank']);
    }
  });

  test('a credential limited to booting and reading servers boots one on a network: Nova calls Neutron for it with a service token', async () => {
    await openstackOk(demo, ['image', 'create', '--disk-format', 'raw', '--container-format', 'bare', '--file', '/dev/null', 'blank']);
    const image = await openstackJson<{ id: string }>(demo, ['image', 'show', 'blank']);
    const network = await openstackJson<{ id: string }>(demo, ['network', 'show', 'private']);
    const rules = [
      { service: 'compute', method: 'POST', path: '/v2.1/servers' },
      { service: 'compute', method: 'GET', path: '/v2.1/servers/**' },
    ];
    const created = await openstackJson<Credential>(demo, ['application', 'credential', 'create', '--access-rules', JSON.stringify(rules), 'boot-only']);
    let serverId: string | undefined;
    try {
      const api = await credentialApi(created);
      const boot = await api('POST', '/compute/v2.1/servers', { server: { name: 'booted', imageRef: image.id, flavorRef: '1', networks: [{ uuid: network.id }] } });
      assert.equal(boot.status, 202, JSON.stringify(boot.json));
      const id = String((boot.json['server'] as Json)['id']);
      serverId = id;
      const active = await pollUntil('server booted ACTIVE', async () => {
        const shown = await api('GET', `/compute/v2.1/servers/${id}`);
        assert.equal(shown.status, 200, JSON.stringify(shown.json));
        const server = shown.json['server'] as Json;
        assert.notEqual(server['status'], 'ERROR', JSON.stringify(server['fault']));
        return server['status'] === 'ACTIVE' ? server : undefined;
      }, 60_000);
      assert.deepEqual(active['security_groups'], [{ name: 'default' }]);
      assert.deepEqual(Object.keys(active['addresses'] as Json), ['private']);
    } finally {
      await deleteCredential('boot-only');
      if (serverId !== undefined) await openstackOk(demo, ['server', 'delete', '--wait', serverId]);
      await openstackOk(demo, ['image', 'delete', 'blank']);
    }
  });

  test('a credential limited to attaching volumes and reading servers attaches one: Nova calls Cinder for it with a service token', async () => {
    await openstackOk(demo, ['image', 'create', '--disk-format', 'raw', '--container-format', 'bare', '--file', '/dev/null', 'blank']);
    const server = await openstackJson<{ id: string }>(demo, ['server', 'create', '--image', 'blank', '--flavor', 'm1.tiny', '--network', 'private', '--wait', 'attaching']);
    const volume = await openstackJson<{ id: string }>(demo, ['volume', 'create', '--size', '1', 'data']);
    const rest = openstackRest(demo);
    const volumeIs = (status: string) => pollUntil(`volume ${status}`, async () => ((await rest.volume(volume.id))?.['status'] === status ? true : undefined), 60_000);
    const rules = [
      { service: 'compute', method: 'POST', path: '/v2.1/servers/*/os-volume_attachments' },
      { service: 'compute', method: 'GET', path: '/v2.1/servers/**' },
    ];
    const created = await openstackJson<Credential>(demo, ['application', 'credential', 'create', '--access-rules', JSON.stringify(rules), 'attach-only']);
    try {
      await volumeIs('available');
      const api = await credentialApi(created);
      const attach = await api('POST', `/compute/v2.1/servers/${server.id}/os-volume_attachments`, { volumeAttachment: { volumeId: volume.id } });
      assert.equal(attach.status, 200, JSON.stringify(attach.json));
      await volumeIs('in-use');
      const listed = await api('GET', `/compute/v2.1/servers/${server.id}/os-volume_attachments`);
      assert.deepEqual((listed.json['volumeAttachments'] as Json[]).map((row) => row['volumeId']), [volume.id]);
    } finally {
      await deleteCredential('attach-only');
      await openstackOk(demo, ['server', 'delete', '--wait', server.id]);
      await volumeIs('available');
      await openstackOk(demo, ['volume', 'delete', volume.id]);
      await openstackOk(demo, ['image', 'delete', 'blank']);
    }
  });

  test('a clouds.yaml naming the credential and its user works as the id does', async () => {
    const created = await openstackJson<Credential>(demo, ['application', 'credential', 'create', 'by-name', '--secret', 'chosen-secret']);
    assert.equal(created.secret, 'chosen-secret');
    const dir = mkdtempSync(join(tmpdir(), 'nimbus-appcred-clouds-'));
    try {
      const cloudsYaml = join(dir, 'clouds.yaml');
      writeFileSync(
        cloudsYaml,
        [
          'clouds:',
          '  nimbus-app:',
          '    auth_type: v3applicationcredential',
          '    auth:',
          `      auth_url: ${cloud['OS_AUTH_URL'] ?? ''}`,
          '      application_credential_name: by-name',
          '      application_credential_secret: chosen-secret',
          '      username: demo',
          '      user_domain_name: Default',
          `    region_name: ${cloud['OS_REGION_NAME'] ?? 'RegionOne'}`,
          '    identity_api_version: 3',
          '',
        ].join('\n'),
      );
      const env: OpenstackEnv = { OS_CLIENT_CONFIG_FILE: cloudsYaml, OS_CLOUD: 'nimbus-app' };
      const token = await openstack(env, ['token', 'issue', '-f', 'json']);
      assert.equal(token.code, 0, token.stderr);
      await openstackOk(env, ['server', 'list']);
      await openstackOk(demo, ['application', 'credential', 'delete', created.id]);
      const refused = await openstack(env, ['token', 'issue']);
      assert.notEqual(refused.code, 0);
      assert.match(refused.stderr, /401|authenticat/i);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
