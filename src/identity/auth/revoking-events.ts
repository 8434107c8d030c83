import { unlessNotFound } from '../../common/errors/errors.js';
import type { IdentityEvents, RemovedAssignment } from '../resources/events.js';
import type { GroupManager } from '../resources/groups.js';
import type { TokenProvider } from '../tokens/token-provider.js';

/**
 * Turns identity changes into token revocation events, as Keystone's revoke API does: a
 * password change or a disabled user revokes the user's tokens, a disabled project its tokens,
 * a removed role assignment the tokens of that user on that target, and a deleted application
 * credential the tokens issued for it, a withdrawn trust the tokens scoped to it.
 */
export function revokingEvents(tokens: TokenProvider, groups: () => GroupManager): IdentityEvents {
  const membersOf = async (groupId: string): Promise<string[] | undefined> =>
    (await unlessNotFound(() => groups().listUsers(groupId)))?.map((user) => user.id);
  const revokeAssignment = async (removed: RemovedAssignment) => {
    const target = removed.projectId !== undefined ? { projectId: removed.projectId } : { domainId: removed.domainId };
    if (removed.userId !== undefined) return tokens.revoke({ userId: removed.userId, ...target });
    const members = removed.groupId === undefined ? undefined : await membersOf(removed.groupId);
    // A group that is already gone leaves no member list: revoke every token on the target.
    if (members === undefined) return tokens.revoke(target);
    for (const userId of members) await tokens.revoke({ userId, ...target });
  };
  return {
    userDisabledOrDeleted: (userId) => tokens.revoke({ userId }),
    passwordChanged: (userId) => tokens.revoke({ userId }),
    projectDisabledOrDeleted: (projectId) => tokens.revoke({ projectId }),
    domainDisabledOrDeleted: (domainId) => tokens.revoke({ domainId }),
    roleAssignmentRemoved: revokeAssignment,
    userRemovedFromGroup: (userId) => tokens.revoke({ userId }),
    applicationCredentialDeleted: (applicationCredentialId) => tokens.revoke({ applicationCredentialId }),
    trustWithdrawn: (trustId) => tokens.revoke({ trustId }),
    // Revocation events name no system scope: every token of the users who held the grant goes.
    systemAssignmentRemoved: async (actor) => {
      const userIds = 'userId' in actor ? [actor.userId] : ((await membersOf(actor.groupId)) ?? []);
      for (const userId of userIds) await tokens.revoke({ userId });
    },
  };
}
