/**
 * Test-only: a token validator for route-test apps behind the real auth middleware. A token is
 * the name of a persona of the table given; anything else is refused as keystonemiddleware
 * refuses an unknown token (401).
 */
import { Unauthorized } from '../../errors/errors.js';
import type { AuthenticatedToken, TokenValidator } from '../token-validator.js';

/** A persona's token as the validator returns it: user, project scope and roles. */
export type PersonaToken = Pick<AuthenticatedToken, 'userId' | 'projectId' | 'roles'>;

export function personaTokenValidator(personas: Readonly<Record<string, PersonaToken>>): TokenValidator {
  return {
    validate: async (token) => {
      const persona = Object.hasOwn(personas, token) ? personas[token] : undefined;
      if (persona === undefined) throw new Unauthorized('The request you have made requires authentication.');
      return {
        ...persona,
        userName: persona.userId,
        userDomainId: 'default',
        projectName: persona.projectId,
        projectDomainId: 'default',
        expiresAt: new Date(Date.now() + 3600_000),
      };
    },
  };
}
