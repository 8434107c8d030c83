import type { RuleDefault } from '../../common/policy/policy.js';

/**
 * Keystone's token rules (Zed): the token's own user or the administrator may validate, check and
 * revoke it; a service may also validate it.
 */
export const TOKEN_POLICIES: readonly RuleDefault[] = [
  { name: 'service_role', checkStr: 'role:service', description: 'A service user.' },
  { name: 'service_or_admin', checkStr: 'rule:admin_required or rule:service_role', description: 'A service or the administrator.' },
  { name: 'token_subject', checkStr: 'user_id:%(target.token.user_id)s', description: 'The user the token was issued to.' },
  {
    name: 'service_admin_or_token_subject',
    checkStr: 'rule:service_or_admin or rule:token_subject',
    description: 'A service, the administrator, or the token’s own user.',
  },
  {
    name: 'identity:validate_token',
    checkStr: 'rule:admin_required or rule:service_role or rule:token_subject',
    description: 'GET /v3/auth/tokens.',
  },
  { name: 'identity:check_token', checkStr: 'rule:admin_required or rule:token_subject', description: 'HEAD /v3/auth/tokens.' },
  { name: 'identity:revoke_token', checkStr: 'rule:admin_required or rule:token_subject', description: 'DELETE /v3/auth/tokens.' },
];
