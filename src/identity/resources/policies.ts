import type { EntityRow } from '../db/entity-table.js';
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
export class PolicyManager {
  constructor(private readonly store: ResourceDeps) {}

  async create(input: PolicyCreate): Promise<PolicyRef> {
    const id = newId();
    await this.store.tables.policies.insert({ id, type: input.type, blob: input.blob, extra: toJson(input.extra) });
    return this.get(id);
  }

  async get(id: string): Promise<PolicyRef> {
    return toRef(await this.store.tables.policies.get(id));
  }

  async list(filter: { readonly type?: string } = {}): Promise<PolicyRef[]> {
    return (await this.store.tables.policies.list(filter)).map(toRef);
  }

  async update(id: string, patch: PolicyUpdate): Promise<PolicyRef> {
    const current = await this.get(id);
    await this.store.tables.policies.update(id, {
      type: patch.type ?? current.type,
      blob: patch.blob ?? current.blob,
      extra: toJson(mergeExtra(current.extra, patch.extra)),
    });
    return this.get(id);
  }

  async delete(id: string): Promise<void> {
    await this.store.tables.policies.get(id);
    await this.store.tables.policies.delete(id);
  }
}

function toRef(row: EntityRow<'identity_policies'>): PolicyRef {
  return { id: row.id, type: row.type, blob: row.blob, extra: parseObject(row.extra) };
}
