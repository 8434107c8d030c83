/** Nova's Migration object: one resize, cold migration, live migration or evacuation of an instance. */
import type { Selectable } from 'kysely';
import type { MigrationsTable } from '../db/tables.js';

export type MigrationRow = Selectable<MigrationsTable>;

export const MigrationType = {
  MIGRATION: 'migration',
  RESIZE: 'resize',
  LIVE_MIGRATION: 'live-migration',
  EVACUATION: 'evacuation',
} as const;
export type MigrationType = (typeof MigrationType)[keyof typeof MigrationType];

/**
 * The statuses Nova's code moves migrations through (nova/objects/migration.py and the managers):
 * resize/migrate pre-migrating → migrating → post-migrating → finished → confirming → confirmed
 * (or reverting → reverted); live migration accepted → queued → preparing → running → completed
 * (or cancelled, failed, error); evacuation accepted → pre-migrating → done (or failed).
 */
export const MigrationStatus = {
  ACCEPTED: 'accepted',
  QUEUED: 'queued',
  PREPARING: 'preparing',
  PRE_MIGRATING: 'pre-migrating',
  MIGRATING: 'migrating',
  POST_MIGRATING: 'post-migrating',
  RUNNING: 'running',
  FINISHED: 'finished',
  CONFIRMING: 'confirming',
  CONFIRMED: 'confirmed',
  REVERTING: 'reverting',
  REVERTED: 'reverted',
  COMPLETED: 'completed',
  DONE: 'done',
  CANCELLED: 'cancelled',
  FAILED: 'failed',
  ERROR: 'error',
} as const;
export type MigrationStatus = (typeof MigrationStatus)[keyof typeof MigrationStatus];

/** What a new migration record says. */
export interface NewMigration {
  readonly instanceUuid: string;
  readonly type: MigrationType;
  readonly status: MigrationStatus;
  readonly sourceCompute: string | null;
  readonly sourceNode: string | null;
  readonly destCompute?: string | null;
  readonly destNode?: string | null;
  readonly oldFlavorId?: string | null;
  readonly newFlavorId?: string | null;
  readonly userId?: string | null;
  readonly projectId?: string | null;
}

/** The columns a later step may change. */
export interface MigrationChanges {
  readonly status?: MigrationStatus;
  readonly destCompute?: string | null;
  readonly destNode?: string | null;
  readonly destHost?: string | null;
}

/** A list query (os-migrations, servers/{id}/migrations); every field narrows. */
export interface MigrationFilter {
  readonly instanceUuid?: string;
  /** Source or destination compute. */
  readonly host?: string;
  readonly statuses?: readonly string[];
  readonly type?: MigrationType;
  readonly projectId?: string;
  readonly userId?: string;
  readonly changesSince?: string;
  readonly changesBefore?: string;
}

/** An os-migrations query: the list filters, Nova's source_compute and hidden, and a page. */
export interface MigrationSearch extends MigrationFilter {
  /** Ignored when `host` is given, as Nova's DB API does. */
  readonly sourceCompute?: string;
  readonly hidden?: boolean;
  /** Uuid of the last migration of the previous page. */
  readonly marker?: string;
  readonly limit?: number;
}

export interface MigrationPage {
  readonly migrations: readonly MigrationRow[];
  /** More rows follow the page (a next link is due). */
  readonly more: boolean;
}

/** The migration record a move belongs to, as agents report on it. */
export interface MigrationHandle {
  readonly id: number;
  readonly uuid: string;
}

/** A resize or cold migration as agents know it: the record and both ends. */
export interface MoveMigrationWire extends MigrationHandle {
  readonly sourceCompute: string;
  readonly sourceNode: string;
  readonly destCompute: string;
  readonly destNode: string;
}

/** A resize's migration row as agents are told about it. */
export function moveRef(row: MigrationRow): MoveMigrationWire {
  const sourceCompute = row.source_compute ?? '';
  const destCompute = row.dest_compute ?? '';
  return {
    id: row.id,
    uuid: row.uuid,
    sourceCompute,
    sourceNode: row.source_node ?? sourceCompute,
    destCompute,
    destNode: row.dest_node ?? destCompute,
  };
}
