import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createPolicyEnforcer } from '../common/policy/enforcer.js';
import { IDENTITY_POLICIES } from './policies.js';

const policy = createPolicyEnforcer({ defaults: IDENTITY_POLICIES });

describe('identity policies', () => {
  test("as in Keystone Zed, regions are readable with any token, even one whose only role is an operator's own", () => {
    const custom = { user_id: 'u', project_id: 'p', roles: ['auditor'] };
    assert.equal(policy.check('identity:list_regions', {}, custom), true);
    assert.equal(policy.check('identity:get_region', { region_id: 'RegionOne' }, custom), true);
    assert.equal(policy.check('identity:create_region', {}, custom), false);
  });
});
