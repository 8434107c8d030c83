import { createHash, randomUUID } from 'node:crypto';
import { BadRequest, NotFound } from '../../common/errors/errors.js';
import type { CredentialRow, CredentialRowFilter } from '../db/credential-store.js';
import { EntityManager } from './entity-manager.js';
import { conflictStoring, expectingToFind, mergeExtra, newId, parseObject, toJson, type Extra, type ResourceDeps } from './store.js';

/** The type of the credentials /v3/users/{id}/credentials/OS-EC2 manages. */
export const EC2_TYPE = 'ec2';

export interface CredentialRef {
  readonly id: string;
  readonly user_id: string;
  readonly project_id: string | null;
  readonly type: string;
  /** As the client sent it; for ec2, JSON text holding `access` and `secret`. */
  readonly blob: string;
  readonly extra: Extra;
}

export interface CredentialCreate {
  readonly user_id: string;
  readonly project_id?: string | null;
  readonly type: string;
  readonly blob: string;
  readonly extra?: Extra;
}

export type CredentialUpdate = Partial<CredentialCreate>;

/** An ec2 credential as the OS-EC2 API shows it (Keystone's _convert_v3_to_ec2_credential). */
export interface Ec2CredentialRef {
  readonly user_id: string;
  readonly tenant_id: string | null;
  readonly access: string;
  readonly secret: string;
  readonly trust_id: string | null;
}

/** Fields of an ec2 blob an update may not change (Keystone's _validate_blob_update_keys). */
const FIXED_EC2_KEYS = ['trust_id', 'app_cred_id', 'access_token_id', 'access_id'] as const;

/** Keystone's utils.hash_access_key: an ec2 credential's id is the sha256 of its access key. */
export function ec2CredentialId(access: string): string {
  return createHash('sha256').update(access, 'utf8').digest('hex');
}

function isEc2(type: string): boolean {
  return type.toLowerCase() === EC2_TYPE;
}

/** An ec2 blob read back: a JSON object naming its access key (Keystone's _validate_blob_json). */
function ec2Blob(blob: string): Record<string, unknown> & { access: unknown } {
  let value: unknown;
  try {
    value = JSON.parse(blob);
  } catch {
    throw new BadRequest('Invalid blob in credential');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value) || Object.keys(value).length === 0) {
    throw new BadRequest(expectingToFind('blob', 'credential'));
  }
  const object = value as Record<string, unknown>;
  if (object['access'] === undefined || object['access'] === null) throw new BadRequest(expectingToFind('access', 'credential'));
  return { ...object, access: object['access'] };
}

/**
 * Keystone's credential manager: blobs a user keeps for other services (ec2 access/secret
 * pairs, TOTP seeds …), optionally tied to a project. Blobs are stored as sent and never logged.
 */
export class CredentialManager extends EntityManager<'identity_credentials', CredentialRef, CredentialRowFilter> {
  constructor(store: ResourceDeps) {
    super(store, store.tables.credentials, toRef);
  }

  async create(input: CredentialCreate): Promise<CredentialRef> {
    const id = isEc2(input.type) ? ec2CredentialId(String(ec2Blob(input.blob).access)) : newId();
    return this.inserted(
      { id, user_id: input.user_id, project_id: input.project_id ?? null, type: input.type, blob: input.blob, extra: toJson(input.extra) },
      conflictStoring('credential', `Duplicate ID, ${id}`),
    );
  }

  async update(id: string, patch: CredentialUpdate): Promise<CredentialRef> {
    const current = await this.get(id);
    const type = patch.type ?? current.type;
    const blob = patch.blob ?? current.blob;
    if (isEc2(type)) {
      const after = ec2Blob(blob);
      const before: Record<string, unknown> = isEc2(current.type) ? ec2Blob(current.blob) : {};
      const changed = FIXED_EC2_KEYS.find((key) => before[key] !== after[key]);
      if (isEc2(current.type) && changed !== undefined) throw new BadRequest(`${changed} can not be updated for credential`);
    }
    return this.updated(id, {
      user_id: patch.user_id ?? current.user_id,
      project_id: patch.project_id === undefined ? current.project_id : patch.project_id,
      type,
      blob,
      extra: toJson(mergeExtra(current.extra, patch.extra)),
    });
  }

  /** A new ec2 access/secret pair of the user for the project (both must exist). */
  async createEc2(userId: string, projectId: string): Promise<Ec2CredentialRef> {
    await this.store.tables.users.get(userId);
    await this.store.tables.projects.get(projectId);
    const blob = { access: randomHex(), secret: randomHex(), trust_id: null };
    return toEc2(await this.create({ user_id: userId, project_id: projectId, type: EC2_TYPE, blob: JSON.stringify(blob) }));
  }

  async listEc2(userId: string): Promise<Ec2CredentialRef[]> {
    await this.store.tables.users.get(userId);
    return (await this.list({ user_id: userId, type: EC2_TYPE })).map(toEc2);
  }

  /** The user's ec2 credential of that access key; 404 when it is someone else's or no ec2 one. */
  async getEc2(userId: string, access: string): Promise<CredentialRef> {
    await this.store.tables.users.get(userId);
    const id = ec2CredentialId(access);
    const row = await this.store.tables.credentials.find(id);
    if (row === undefined || row.type !== EC2_TYPE || row.user_id !== userId) throw new NotFound(`Could not find credential: ${id}.`);
    return toRef(row);
  }
}

/** Keystone's ec2 access keys and secrets: uuid4 hex. */
function randomHex(): string {
  return randomUUID().replaceAll('-', '');
}

export function toEc2(ref: CredentialRef): Ec2CredentialRef {
  const blob = ec2Blob(ref.blob);
  const text = (key: string) => (typeof blob[key] === 'string' ? blob[key] : null);
  return { user_id: ref.user_id, tenant_id: ref.project_id, access: text('access') ?? '', secret: text('secret') ?? '', trust_id: text('trust_id') };
}

function toRef(row: CredentialRow): CredentialRef {
  return { id: row.id, user_id: row.user_id, project_id: row.project_id, type: row.type, blob: row.blob, extra: parseObject(row.extra) };
}
