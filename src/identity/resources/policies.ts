import type { EntityRow } from '../db/entity-table.js';
import { EntityManager } from './entity-manager.js';
import { mergeExtra, newId, parseObject, toJson, type Extra, type ResourceDeps } from './store.js';

export interface PolicyRef {
  readonly id: string;
  readonly type: string;
  readonly blob: string;
  readonly extra: Extra;
}

export interface PolicyCreate {
  readonly type: string;
  readonly blob: string;
  readonly extra?: Extra;
}

export type PolicyUpdate = Partial<PolicyCreate>;

/** Keystone's policy API (/v3/policies): opaque blobs of a type, kept for other services to fetch; nothing here enforces them. */
export class PolicyManager extends EntityManager<'identity_policies', PolicyRef, { readonly type?: string }> {
  constructor(store: ResourceDeps) {
    super(store, store.tables.policies, toRef);
  }

  async create(input: PolicyCreate): Promise<PolicyRef> {
    return this.inserted({ id: newId(), type: input.type, blob: input.blob, extra: toJson(input.extra) });
  }

  async update(id: string, patch: PolicyUpdate): Promise<PolicyRef> {
    const current = await this.get(id);
    return this.updated(id, {
      type: patch.type ?? current.type,
      blob: patch.blob ?? current.blob,
      extra: toJson(mergeExtra(current.extra, patch.extra)),
    });
  }
}

function toRef(row: EntityRow<'identity_policies'>): PolicyRef {
  return { id: row.id, type: row.type, blob: row.blob, extra: parseObject(row.extra) };
}
