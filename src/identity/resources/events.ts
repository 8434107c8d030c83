import type { AssignmentsTable } from '../db/tables.js';

/**
 * Changes that invalidate tokens already issued, reported to whoever revokes them (the token
 * provider). Each is called after the change is stored; a listener that throws fails the API
 * call, so revocation is never silently skipped.
 */
export interface IdentityEvents {
  /** The user was disabled or deleted: every token of theirs must stop working. */
  userDisabledOrDeleted(userId: string): Promise<void> | void;
  /** The user's password was changed or reset: tokens issued before must stop working. */
  passwordChanged(userId: string): Promise<void> | void;
  /** The project was disabled or deleted: tokens scoped to it must stop working. */
  projectDisabledOrDeleted(projectId: string): Promise<void> | void;
  /** The domain was disabled or deleted: tokens scoped to it, or of its users, must stop working. */
  domainDisabledOrDeleted(domainId: string): Promise<void> | void;
  /** A role assignment went (revoked, or its role, actor or target deleted). */
  roleAssignmentRemoved(removed: RemovedAssignment): Promise<void> | void;
  /** The user left the group, so roles they held through it are gone. */
  userRemovedFromGroup(userId: string, groupId: string): Promise<void> | void;
  /** The application credential was deleted: tokens issued for it must stop working. */
  applicationCredentialDeleted(id: string): Promise<void> | void;
  /** The trust was deleted, or its trustor or trustee disabled or its roles revoked: tokens scoped to it must stop working. */
  trustWithdrawn(id: string): Promise<void> | void;
  /** A role grant on the system went: the actor's (or its members') tokens must stop working. */
  systemAssignmentRemoved(actor: { readonly userId: string } | { readonly groupId: string }): Promise<void> | void;
}

/** Which assignment went: one actor (user or group) and one target (project or domain). */
export interface RemovedAssignment {
  readonly roleId: string;
  readonly userId?: string;
  readonly groupId?: string;
  readonly projectId?: string;
  readonly domainId?: string;
}

/** For callers with nothing to revoke (tests, tools that only read). */
export const IGNORE_IDENTITY_EVENTS: IdentityEvents = {
  userDisabledOrDeleted: () => undefined,
  passwordChanged: () => undefined,
  projectDisabledOrDeleted: () => undefined,
  domainDisabledOrDeleted: () => undefined,
  roleAssignmentRemoved: () => undefined,
  userRemovedFromGroup: () => undefined,
  applicationCredentialDeleted: () => undefined,
  trustWithdrawn: () => undefined,
  systemAssignmentRemoved: () => undefined,
};

/** The event for one deleted row of identity_assignments. */
export function removedAssignment(row: Pick<AssignmentsTable, 'type' | 'actor_id' | 'target_id' | 'role_id'>): RemovedAssignment {
  const actor = row.type.startsWith('User') ? { userId: row.actor_id } : { groupId: row.actor_id };
  const target = row.type.endsWith('Project') ? { projectId: row.target_id } : { domainId: row.target_id };
  return { roleId: row.role_id, ...actor, ...target };
}
