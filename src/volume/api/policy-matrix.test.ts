import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { personaTokenValidator } from '../../common/auth/testing/persona-tokens.js';
import { configureLogging } from '../../common/logging/logger.js';
import { OWNING_PROJECT, PROJECT_PERSONAS, recordRoutes, runPolicyMatrix, tokenHeader, type Persona } from '../../common/policy/testing/policy-matrix.js';
import { withVolumeCloud } from '../testing/volume-cloud.js';
import { VOLUME_POLICY_MATRIX, type VolumeMatrixFixture } from './policy-matrix.js';

configureLogging({ sink: () => undefined });

interface Reply {
  readonly status: number;
  readonly json: Record<string, unknown>;
}

/** A request as the persona, under its own project's URL (the owning project's for no token). */
async function send(app: FastifyInstance, persona: Persona, method: string, path: string, body?: unknown, headers: Readonly<Record<string, string>> = {}): Promise<Reply> {
  const project = persona === 'anonymous' ? OWNING_PROJECT : PROJECT_PERSONAS[persona].projectId;
  const response = await app.inject({
    method: method as 'GET',
    url: `/volume/v3/${project}${path}`,
    headers: { ...tokenHeader(persona), ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
  });
  return { status: response.statusCode, json: response.body === '' ? {} : (JSON.parse(response.body) as Record<string, unknown>) };
}

/** Volumes and snapshots made by the owning project's member and left to become available; types by the administrator. */
function volumeFixture(app: FastifyInstance): VolumeMatrixFixture {
  const made = async (persona: Persona, path: string, body: unknown, status: number, key: string): Promise<string> => {
    const reply = await send(app, persona, 'POST', path, body);
    assert.equal(reply.status, status, JSON.stringify(reply.json));
    return String((reply.json[key] as Record<string, unknown>)['id']);
  };
  /** True once available, false when it is gone; a backup reads a whole volume, so allow for a loaded machine. */
  const available = async (path: string, key: string, headers: Readonly<Record<string, string>> = {}): Promise<boolean> => {
    for (const deadline = Date.now() + 120_000; Date.now() < deadline; ) {
      const reply = await send(app, 'member', 'GET', path, undefined, headers);
      if (reply.status === 404) return false;
      if ((reply.json[key] as { status?: string } | undefined)?.status === 'available') return true;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new Error(`${path} did not become available`);
  };
  let backup: string | undefined;
  const volume = async () => {
    const id = await made('member', '/volumes', { volume: { size: 1, metadata: { a: 'b' } } }, 202, 'volume');
    await available(`/volumes/${id}`, 'volume');
    return id;
  };
  let types = 0;
  const V320 = { 'openstack-api-version': 'volume 3.20' };
  const groupType = async () => {
    types += 1;
    const reply = await send(app, 'admin', 'POST', '/group_types', { group_type: { name: `matrix-group-${types}`, group_specs: { a: 'b' } } }, V320);
    assert.equal(reply.status, 202, JSON.stringify(reply.json));
    return String((reply.json['group_type'] as Record<string, unknown>)['id']);
  };
  const group = async () => {
    // The matrix makes more groups than Cinder's default `groups` quota (10); a row may reset it.
    const lifted = await send(app, 'admin', 'PUT', `/os-quota-sets/${OWNING_PROJECT}`, { quota_set: { groups: -1 } });
    assert.equal(lifted.status, 200, JSON.stringify(lifted.json));
    const reply = await send(app, 'member', 'POST', '/groups', { group: { group_type: await groupType(), volume_types: ['__DEFAULT__'] } }, V320);
    assert.equal(reply.status, 202, JSON.stringify(reply.json));
    return String((reply.json['group'] as Record<string, unknown>)['id']);
  };
  const groupWithVolume = async () => {
    const id = await group();
    const volumeId = await made('member', '/volumes', { volume: { size: 1, volume_type: '__DEFAULT__', group_id: id } }, 202, 'volume');
    await available(`/volumes/${volumeId}`, 'volume');
    return id;
  };
  return {
    groupType,
    group,
    groupWithVolume,
    groupSnapshot: async () => {
      const reply = await send(app, 'member', 'POST', '/group_snapshots', { group_snapshot: { group_id: await groupWithVolume() } }, V320);
      assert.equal(reply.status, 202, JSON.stringify(reply.json));
      const id = String((reply.json['group_snapshot'] as Record<string, unknown>)['id']);
      await available(`/group_snapshots/${id}`, 'group_snapshot', V320);
      return id;
    },
    volume,
    volumeWithImageMetadata: async () => {
      const id = await volume();
      const reply = await send(app, 'member', 'POST', `/volumes/${id}/action`, { 'os-set_image_metadata': { metadata: { image_name: 'i' } } });
      assert.equal(reply.status, 200, JSON.stringify(reply.json));
      return id;
    },
    snapshot: async () => {
      const id = await made('member', '/snapshots', { snapshot: { volume_id: await volume(), metadata: { a: 'b' } } }, 202, 'snapshot');
      await available(`/snapshots/${id}`, 'snapshot');
      return id;
    },
    type: async () => {
      types += 1;
      return made('admin', '/types', { volume_type: { name: `matrix-${types}`, extra_specs: { a: 'b' } } }, 200, 'volume_type');
    },
    backup: async () => {
      if (backup !== undefined && (await available(`/backups/${backup}`, 'backup'))) return backup;
      backup = await made('member', '/backups', { backup: { volume_id: await volume() } }, 202, 'backup');
      await available(`/backups/${backup}`, 'backup');
      return backup;
    },
    attachment: async () => {
      const volumeId = await volume();
      const body = { attachment: { volume_uuid: volumeId, instance_uuid: '5b2a4f3e-8c1d-4e6f-9a7b-0c1d2e3f4a5b', connector: { host: 'compute-1' } } };
      const reply = await send(app, 'member', 'POST', '/attachments', body, { 'openstack-api-version': 'volume 3.54' });
      assert.equal(reply.status, 200, JSON.stringify(reply.json));
      return String((reply.json['attachment'] as Record<string, unknown>)['id']);
    },
    transfer: async () => {
      const reply = await send(app, 'member', 'POST', '/os-volume-transfer', { transfer: { volume_id: await volume() } });
      assert.equal(reply.status, 202, JSON.stringify(reply.json));
      const transfer = reply.json['transfer'] as Record<string, unknown>;
      return { id: String(transfer['id']), authKey: String(transfer['auth_key']) };
    },
    encryptedType: async () => {
      types += 1;
      const id = await made('admin', '/types', { volume_type: { name: `matrix-${types}` } }, 200, 'volume_type');
      const reply = await send(app, 'admin', 'POST', `/types/${id}/encryption`, { encryption: { provider: 'p', control_location: 'front-end' } });
      assert.equal(reply.status, 200, JSON.stringify(reply.json));
      return id;
    },
    qosSpecs: async () => {
      types += 1;
      return made('admin', '/qos-specs', { qos_specs: { name: `matrix-qos-${types}`, a: 'b' } }, 200, 'qos_specs');
    },
    message: async () => {
      types += 1;
      const type = await made('admin', '/types', { volume_type: { name: `matrix-${types}`, extra_specs: { volume_backend_name: 'absent' } } }, 200, 'volume_type');
      const id = await made('member', '/volumes', { volume: { size: 1, volume_type: type } }, 202, 'volume');
      for (const deadline = Date.now() + 60_000; Date.now() < deadline; ) {
        const messages = (await send(app, 'member', 'GET', '/messages', undefined, { 'openstack-api-version': 'volume 3.3' })).json['messages'] as Record<string, unknown>[];
        const message = messages.find((candidate) => candidate['resource_uuid'] === id);
        if (message !== undefined) return String(message['id']);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      throw new Error(`no message for volume ${id}`);
    },
    projectDefault: async () => {
      const reply = await send(app, 'admin', 'PUT', `/default-types/${OWNING_PROJECT}`, { default_type: { volume_type: '__DEFAULT__' } }, { 'openstack-api-version': 'volume 3.62' });
      assert.equal(reply.status, 200, JSON.stringify(reply.json));
    },
    privateType: async () => {
      types += 1;
      return made('admin', '/types', { volume_type: { name: `matrix-${types}`, 'os-volume-type-access:is_public': false } }, 200, 'volume_type');
    },
  };
}

describe('volume policy matrix', () => {
  test("every volume route answers each persona as Cinder Zed's defaults do", () =>
    withVolumeCloud(
      'sqlite',
      async ({ app }) => {
        const routes = recordRoutes(app, '/volume');
        await app.ready();
        const problems = await runPolicyMatrix({
          // The project-less twins (routes/index.ts) run the same handlers as the routes with the project id.
          registered: routes.filter((route) => route.includes(' /v3/:project_id/')),
          rows: VOLUME_POLICY_MATRIX,
          fixture: volumeFixture(app),
          send: async (persona, method, { path, body, headers }) => (await send(app, persona, method, path, body, headers)).status,
        });
        assert.deepEqual(problems, []);
      },
      {
        validator: personaTokenValidator(PROJECT_PERSONAS),
        // Each request gets volumes of its own: room for all of them.
        volume: { quota_volumes: '10000', quota_snapshots: '10000', quota_gigabytes: '100000', quota_backups: '10000', quota_backup_gigabytes: '100000' },
      },
    ));
});
