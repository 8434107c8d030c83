import { NotFound } from '../../common/errors/errors.js';
import type { EntityRow } from '../db/entity-table.js';
import { EntityManager } from './entity-manager.js';
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
export class OAuthConsumerManager extends EntityManager<'identity_oauth_consumers', OAuthConsumerRef> {
  constructor(store: ResourceDeps) {
    super(store, store.tables.oauthConsumers, toRef);
  }

  /** The new consumer and its secret (Keystone's: uuid4 hex). */
  async create(input: OAuthConsumerUpdate): Promise<{ consumer: OAuthConsumerRef; secret: string }> {
    const secret = newId();
    return { consumer: await this.inserted({ id: newId(), description: input.description ?? null, secret, extra: toJson(input.extra) }), secret };
  }

  /** Keystone's OAuth1 404 words differ from the other entities'. */
  override async get(id: string): Promise<OAuthConsumerRef> {
    const row = await this.table.find(id);
    if (row === undefined) throw new NotFound('Consumer not found');
    return toRef(row);
  }

  async update(id: string, patch: OAuthConsumerUpdate): Promise<OAuthConsumerRef> {
    const current = await this.get(id);
    return this.updated(id, {
      description: patch.description === undefined ? current.description : patch.description,
      extra: toJson(mergeExtra(current.extra, patch.extra)),
    });
  }
}

function toRef(row: EntityRow<'identity_oauth_consumers'>): OAuthConsumerRef {
  return { id: row.id, description: row.description, extra: parseObject(row.extra) };
}
