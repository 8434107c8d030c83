/** The one door to volume_messages (Cinder's message_create/get/get_all/destroy). */
import { randomUUID } from 'node:crypto';
import type { Selectable } from 'kysely';
import type { Database } from '../../common/db/database.js';
import { currentContext } from '../../common/context/request-context.js';
import { fromDbTimestamp, toDbTimestamp } from '../../common/db/timestamps.js';
import { getLogger } from '../../common/logging/logger.js';
import { messageOf } from '../../common/errors/errors.js';
import { messageOfEvent, type MessageEvent, type UserMessage } from '../volumes/user-message.js';
import type { VolumeMessagesTable } from './tables.js';
import { VolumeTableStore } from './table-store.js';
import type { SortSpec } from './volume-store.js';

const LOG = getLogger('nimbus.volume.messages');

/** The columns a message list filters on (Cinder's resource_filters.json for `message`). */
export const MESSAGE_FILTER_KEYS = ['resource_type', 'resource_uuid', 'event_id', 'request_id', 'message_level'] as const;
export type MessageFilterKey = (typeof MESSAGE_FILTER_KEYS)[number];
export const MESSAGE_SORT_KEYS = ['id', 'created_at', 'event_id', 'message_level', 'resource_type', 'resource_uuid', 'request_id', 'expires_at'] as const;
export type MessageSortKey = (typeof MESSAGE_SORT_KEYS)[number];

export interface MessageFilter {
  /** Absent: every project's (an administrator's list). */
  readonly projectId?: string;
  readonly columns?: Partial<Record<MessageFilterKey, string>>;
}

function toMessage(row: Selectable<VolumeMessagesTable>): UserMessage {
  return {
    id: row.id,
    projectId: row.project_id,
    requestId: row.request_id,
    resourceType: row.resource_type,
    resourceUuid: row.resource_uuid,
    eventId: row.event_id,
    actionId: row.action_id,
    detailId: row.detail_id,
    level: row.message_level,
    createdAt: fromDbTimestamp(row.created_at),
    expiresAt: fromDbTimestamp(row.expires_at),
  };
}

/** Cinder's `[DEFAULT] message_ttl`: a message is kept at least 30 days. */
export const DEFAULT_MESSAGE_TTL_SECONDS = 2_592_000;

export class MessageStore extends VolumeTableStore {
  readonly #ttlSeconds: number;

  /** `ttlSeconds`: how long a message is kept at least (its guaranteed_until). */
  constructor(database: Database, ttlSeconds = DEFAULT_MESSAGE_TTL_SECONDS, now?: () => Date) {
    super(database, now);
    this.#ttlSeconds = ttlSeconds;
  }

  /**
   * Records `event` for the project and request of `context` (the current request's when absent).
   * Never fails its caller: a message lost is logged, the work it tells of goes on.
   */
  async record(event: MessageEvent, context = currentContext()): Promise<void> {
    const message = messageOfEvent(event, context ?? {}, randomUUID(), this.now(), this.#ttlSeconds);
    try {
      await this.db
        .insertInto('volume_messages')
        .values({
          id: message.id,
          project_id: message.projectId,
          request_id: message.requestId,
          resource_type: message.resourceType,
          resource_uuid: message.resourceUuid,
          event_id: message.eventId,
          action_id: message.actionId,
          detail_id: message.detailId,
          message_level: message.level,
          created_at: toDbTimestamp(message.createdAt),
          expires_at: toDbTimestamp(message.expiresAt),
        })
        .execute();
      LOG.info(`Recorded user message ${message.eventId} for ${event.resourceType} ${event.resourceUuid}`);
    } catch (error) {
      LOG.error(`Failed to create message record for request_id ${message.requestId ?? '-'}: ${messageOf(error)}`);
    }
  }

  async find(id: string): Promise<UserMessage | undefined> {
    const row = await this.db.selectFrom('volume_messages').selectAll().where('id', '=', id).executeTakeFirst();
    return row === undefined ? undefined : toMessage(row);
  }

  /** Every message the filter matches, in the requested order (ties broken by id). */
  async list(filter: MessageFilter, sort: readonly SortSpec<MessageSortKey>[]): Promise<UserMessage[]> {
    let query = this.db.selectFrom('volume_messages').selectAll();
    if (filter.projectId !== undefined) query = query.where('project_id', '=', filter.projectId);
    for (const [key, value] of Object.entries(filter.columns ?? {})) query = query.where(key as MessageFilterKey, '=', value);
    for (const { key, direction } of sort) query = query.orderBy(key, direction);
    if (!sort.some(({ key }) => key === 'id')) query = query.orderBy('id', sort[0]?.direction ?? 'desc');
    return (await query.execute()).map(toMessage);
  }

  async delete(id: string): Promise<void> {
    await this.db.deleteFrom('volume_messages').where('id', '=', id).execute();
  }

  /** Deletes the messages past their guaranteed_until (Cinder's cleanup_expired_messages); how many went. */
  async deleteExpired(): Promise<number> {
    const result = await this.db.deleteFrom('volume_messages').where('expires_at', '<', toDbTimestamp(this.now())).executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
