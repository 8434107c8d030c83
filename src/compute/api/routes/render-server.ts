import { createHash } from 'node:crypto';
import type { Server } from '../../servers/server.js';
import { statusFromState } from '../../state/status.js';
import { resourceLinks } from './links.js';
import { novaTime } from './render.js';

/** Statuses whose body carries `progress` (Nova's _progress_statuses). */
const PROGRESS_STATUSES = new Set(['ACTIVE', 'BUILD', 'REBUILD', 'RESIZE', 'VERIFY_RESIZE', 'MIGRATING']);
/** Statuses whose body carries the fault (Nova's _fault_statuses). */
const FAULT_STATUSES = new Set(['ERROR', 'DELETED']);

/** Who is looking: admins see the OS-EXT-SRV-ATTR fields and fault details. */
export interface ServerViewer {
  readonly extendedAttributes: boolean;
  readonly isAdmin: boolean;
}

/** utils.isotime: whole seconds, `Z`. */
function isoTime(stored: string): string {
  return `${stored.slice(0, 19)}Z`;
}

/** Nova's hostId: sha224 of project id + host, "" without a host. */
export function hostId(projectId: string, host: string | null): string {
  return host === null || host === '' ? '' : createHash('sha224').update(projectId + host).digest('hex');
}

/** instance_name_template `instance-%08x` over the uuid's first 32 bits (no integer ids here). */
export function instanceName(uuid: string): string {
  return `instance-${uuid.replace(/-/g, '').slice(0, 8)}`;
}

/** GET /servers: id, name, links. */
export function renderServerBrief(publicUrl: string, server: Server): Record<string, unknown> {
  return { id: server.row.uuid, name: server.row.display_name, links: resourceLinks(publicUrl, 'servers', server.row.uuid) };
}

/** A server as Nova 2.1 shows it (views/servers.py show with the 2.1 extensions folded in). */
export function renderServer(publicUrl: string, server: Server, viewer: ServerViewer): Record<string, unknown> {
  const { row } = server;
  const status = row.deleted ? 'DELETED' : statusFromState(row.vm_state, row.task_state);
  const body: Record<string, unknown> = {
    id: row.uuid,
    name: row.display_name,
    status,
    tenant_id: row.project_id,
    user_id: row.user_id,
    metadata: server.metadata,
    hostId: hostId(row.project_id, row.host),
    image: row.image_ref === '' ? '' : { id: row.image_ref, links: [{ rel: 'bookmark', href: `${publicUrl}/compute/images/${row.image_ref}` }] },
    flavor: { id: row.flavor_id, links: [{ rel: 'bookmark', href: `${publicUrl}/compute/flavors/${row.flavor_id}` }] },
    created: isoTime(row.created_at),
    updated: isoTime(row.updated_at),
    addresses: {},
    accessIPv4: row.access_ip_v4 ?? '',
    accessIPv6: row.access_ip_v6 ?? '',
    links: resourceLinks(publicUrl, 'servers', row.uuid),
    'OS-DCF:diskConfig': 'MANUAL',
  };
  if (PROGRESS_STATUSES.has(status)) body['progress'] = row.progress ?? 0;
  body['OS-EXT-AZ:availability_zone'] = row.availability_zone ?? '';
  body['config_drive'] = row.config_drive;
  body['key_name'] = row.key_name;
  body['OS-SRV-USG:launched_at'] = novaTime(row.launched_at);
  body['OS-SRV-USG:terminated_at'] = novaTime(row.terminated_at);
  if (viewer.extendedAttributes) {
    body['OS-EXT-SRV-ATTR:host'] = row.host;
    body['OS-EXT-SRV-ATTR:instance_name'] = instanceName(row.uuid);
    body['OS-EXT-SRV-ATTR:hypervisor_hostname'] = row.node;
  }
  body['OS-EXT-STS:task_state'] = row.task_state;
  body['OS-EXT-STS:vm_state'] = row.vm_state;
  body['OS-EXT-STS:power_state'] = row.power_state;
  body['os-extended-volumes:volumes_attached'] = [];
  if (server.fault !== undefined && FAULT_STATUSES.has(status)) {
    const { fault } = server;
    body['fault'] = {
      code: fault.code,
      created: isoTime(fault.created_at),
      message: fault.message,
      ...((viewer.isAdmin || fault.code !== 500) && fault.details !== null ? { details: fault.details } : {}),
    };
  }
  return body;
}
