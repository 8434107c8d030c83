import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { compileCheck } from './check-evaluator.js';
import { CheckParseError, parseCheckString } from './check-parser.js';
import type { Credentials, PolicyTarget } from './policy.js';

function evaluate(checkStr: string, credentials: Partial<Credentials>, target: PolicyTarget = {}): boolean {
  return compileCheck(parseCheckString(checkStr), () => undefined)(target, { roles: [], ...credentials });
}

/** Each expression's result for roles {}, {a}, {b}, {a,b}, {c}, {a,c}, {b,c}, {a,b,c}, from oslo.policy (Zed) itself. */
const OSLO_TRUTH_TABLE: Record<string, boolean[]> = {"role:a or role:b and role:c": [false, true, false, true, false, true, true, true], "not role:a or role:b": [true, false, true, true, true, false, true, true], "not role:a and role:b": [false, false, true, false, false, false, true, false], "role:a and not role:b or role:c": [false, true, false, false, true, true, true, true], "(role:a or role:b) and role:c": [false, false, false, false, false, true, true, true], "not (role:a or role:b)": [true, false, false, false, true, false, false, false], "role:a or role:b or role:c and not role:a": [false, true, true, true, true, true, true, true], "((role:a)) AND Not role:b": [false, true, false, false, false, true, false, false], "role:a and role:b or role:c and role:a": [false, false, false, true, false, true, false, true], "not not role:a": [false, true, false, true, false, true, false, true]};

describe('check string grammar', () => {
  for (const [checkStr, expected] of Object.entries(OSLO_TRUTH_TABLE)) {
    test(`precedence as oslo: ${checkStr}`, () => {
      const actual = expected.map((_, n) => evaluate(checkStr, { roles: ['a', 'b', 'c'].filter((_, i) => (n & (1 << i)) !== 0) }));
      assert.deepEqual(actual, expected);
    });
  }

  test('the empty string and @ allow, ! denies', () => {
    assert.equal(evaluate('', {}), true);
    assert.equal(evaluate('@', {}), true);
    assert.equal(evaluate('!', {}), false);
    assert.equal(evaluate('! or @', {}), true);
    assert.equal(evaluate('not !', {}), true);
  });

  test('parentheses peel off tokens without touching %(…)s', () => {
    assert.deepEqual(parseCheckString('(user_id:%(user_id)s)'), {
      type: 'credential',
      path: ['user_id'],
      match: [{ targetKey: 'user_id' }],
    });
    assert.deepEqual(parseCheckString('( role:admin )'), parseCheckString('role:admin'));
  });

  test('check kinds', () => {
    assert.deepEqual(parseCheckString('rule:admin_required'), { type: 'rule', name: 'admin_required' });
    assert.deepEqual(parseCheckString('role:compute:admin'), { type: 'role', match: ['compute:admin'] });
    assert.deepEqual(parseCheckString("'member':%(role.name)s"), { type: 'literal', value: 'member', match: [{ targetKey: 'role.name' }] });
    assert.deepEqual(parseCheckString('True:%(user.enabled)s'), { type: 'literal', value: 'True', match: [{ targetKey: 'user.enabled' }] });
    assert.deepEqual(parseCheckString('project_id:pre-%(a)s-%%-%(b)s'), {
      type: 'credential',
      path: ['project_id'],
      match: ['pre-', { targetKey: 'a' }, '-%-', { targetKey: 'b' }],
    });
  });

  test('errors name the position', () => {
    const cases: [string, RegExp, number][] = [
      ['role:a and', /Expected a check/, 10],
      ['role:a or or role:b', /Expected a check, found 'or'/, 10],
      ['(role:a', /Unclosed '\('/, 0],
      ['role:a and (role:b or (role:c)', /Unclosed '\(' at position 11/, 11],
      ['role:a)', /Unexpected '\)'/, 6],
      ['role:a role:b', /Unexpected "role:b"/, 7],
      ['admin', /Expected kind:match/, 0],
      ['"role:a"', /quoted string/, 0],
      ['user_id:%(user_id)d', /%\(name\)s/, 8],
      ['rule:', /rule name/, 0],
      ['   ', /Empty check string/, 0],
    ];
    for (const [checkStr, message, position] of cases) {
      assert.throws(
        () => parseCheckString(checkStr),
        (error: unknown) => error instanceof CheckParseError && message.test(error.message) && error.position === position,
        checkStr,
      );
    }
  });
});

describe('check evaluation', () => {
  const owner = { user_id: 'u1', project_id: 'p1', roles: ['Member'] };

  test('roles compare case-insensitively and may come from the target', () => {
    assert.equal(evaluate('role:member', owner), true);
    assert.equal(evaluate('role:%(wanted)s', owner, { wanted: 'MEMBER' }), true);
    assert.equal(evaluate('role:%(missing)s', owner), false);
  });

  test('credentials against the target, by top-level key, dotted path or flattened key', () => {
    assert.equal(evaluate('user_id:%(user_id)s', owner, { user_id: 'u1' }), true);
    assert.equal(evaluate('user_id:%(user_id)s', owner, { user_id: 'u2' }), false);
    assert.equal(evaluate('project_id:%(target.project.id)s', owner, { target: { project: { id: 'p1' } } }), true);
    assert.equal(evaluate('project_id:%(target.project.id)s', owner, { 'target.project.id': 'p1' }), true);
    assert.equal(evaluate('domain_id:%(target.project.domain_id)s', { domain_id: 'd1' }, { target: { project: { domain_id: 'd1' } } }), true);
  });

  test('missing or null keys fail closed, on either side', () => {
    assert.equal(evaluate('project_id:%(target.project.id)s', owner, { target: { project: {} } }), false);
    assert.equal(evaluate('project_id:%(target.project.id)s', owner, { target: null }), false);
    assert.equal(evaluate('project_id:%(project_id)s', { roles: [] }, { project_id: 'p1' }), false);
    assert.equal(evaluate('project_id:%(project_id)s', { roles: [] }, { project_id: null }), false);
    assert.equal(evaluate('not project_id:%(project_id)s', owner, {}), true, 'not of a failed check is true, as oslo');
  });

  test('Python spellings: is_admin:True, literals, numbers', () => {
    assert.equal(evaluate('is_admin:True', { is_admin: true }), true);
    assert.equal(evaluate('is_admin:True', { is_admin: false }), false);
    assert.equal(evaluate('is_admin:true', { is_admin: true }), false, "str(True) is 'True'");
    assert.equal(evaluate("'member':%(role.name)s", {}, { role: { name: 'member' } }), true);
    assert.equal(evaluate("'member':%(role.name)s", {}, { role: { name: 'reader' } }), false);
    assert.equal(evaluate('True:%(user.enabled)s', {}, { user: { enabled: true } }), true);
    assert.equal(evaluate('1:%(count)s', {}, { count: 1 }), true);
  });

  test("Neutron's field checks: the target's attribute equals a Python value or matches a regular expression", () => {
    assert.equal(evaluate('field:networks:shared=True', {}, { shared: true }), true);
    assert.equal(evaluate('field:networks:shared=True', {}, { shared: false }), false);
    assert.equal(evaluate('field:networks:router:external=True', {}, { 'router:external': true }), true);
    assert.equal(evaluate('field:networks:shared=True', {}, {}), false);
    assert.equal(evaluate('not field:port:device_owner=~^network:', {}, { device_owner: 'network:dhcp' }), false);
    assert.equal(evaluate('not field:port:device_owner=~^network:', {}, { device_owner: 'compute:nova' }), true);
  });

  test('a list on the credential path matches when any element does', () => {
    assert.equal(evaluate('roles:reader', { roles: ['member', 'reader'] }), true);
    assert.equal(evaluate('roles:admin', { roles: ['member', 'reader'] }), false);
  });
});
