import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createPolicyEnforcer } from '../../common/policy/enforcer.js';
import type { Credentials } from '../../common/policy/policy.js';
import { IDENTITY_POLICIES } from '../policies.js';
import { TOKEN_POLICIES } from './policies.js';

const policy = createPolicyEnforcer({ defaults: [...IDENTITY_POLICIES, ...TOKEN_POLICIES] });
const aliceToken = { target: { token: { user_id: 'alice', user: { domain: { id: 'default' } } } } };
const service: Credentials = { user_id: 'nova', project_id: 'service', roles: ['service'] };
const alice: Credentials = { user_id: 'alice', project_id: 'p', roles: ['reader'] };

describe('token policies', () => {
  test("as in Keystone Zed, a service may validate a user's token but neither check (HEAD) nor revoke it", () => {
    assert.equal(policy.check('identity:validate_token', aliceToken, service), true);
    assert.equal(policy.check('identity:check_token', aliceToken, service), false);
    assert.equal(policy.check('identity:revoke_token', aliceToken, service), false);
  });

  test('the token subject may do all three, with any role', () => {
    for (const action of ['identity:validate_token', 'identity:check_token', 'identity:revoke_token']) {
      assert.equal(policy.check(action, aliceToken, alice), true, action);
    }
  });
});
