import { NotFound } from '../../common/errors/errors.js';
import type { EntityRow } from '../db/entity-table.js';
import { mergeExtra, newId, parseObject, toJson, type Extra, type ResourceDeps } from './store.js';

export interface OAuthConsumerRef {
  readonly id: string;
  readonly description: string | null;
  readonly extra: Extra;
}

export interface OAuthConsumerUpdate {
  readonly description?: string | null;
  readonly extra?: Extra;
}

/**
 * Keystone's OS-OAUTH1 consumers: applications that may ask users for delegated access. The
 * secret is shown once, on create. (The OAuth1 request/access token flow is not built.)
 */
export class OAuthConsumerManager {
  constructor(private readonly store: ResourceDeps) {}

  /** The new consumer and its secret (Keystone's: uuid4 hex). */
  async create(input: OAuthConsumerUpdate): Promise<{ consumer: OAuthConsumerRef; secret: string }> {
    const id = newId();
    const secret = newId();
    await this.store.tables.oauthConsumers.insert({ id, description: input.description ?? null, secret, extra: toJson(input.extra) });
    return { consumer: await this.get(id), secret };
  }

  async get(id: string): Promise<OAuthConsumerRef> {
    const row = await this.store.tables.oauthConsumers.find(id);
    if (row === undefined) throw new NotFound('Consumer not found');
    return toRef(row);
  }

  async list(): Promise<OAuthConsumerRef[]> {
    return (await this.store.tables.oauthConsumers.list()).map(toRef);
  }

  async update(id: string, patch: OAuthConsumerUpdate): Promise<OAuthConsumerRef> {
    const current = await this.get(id);
    await this.store.tables.oauthConsumers.update(id, {
      description: patch.description === undefined ? current.description : patch.description,
      extra: toJson(mergeExtra(current.extra, patch.extra)),
    });
    return this.get(id);
  }

  async delete(id: string): Promise<void> {
    await this.get(id);
    await this.store.tables.oauthConsumers.delete(id);
  }
}

function toRef(row: EntityRow<'identity_oauth_consumers'>): OAuthConsumerRef {
  return { id: row.id, description: row.description, extra: parseObject(row.extra) };
}
