import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { StartupError } from '../errors/errors.js';
import type { LogRecord } from '../logging/format.js';
import { configureLogging } from '../logging/logger.js';
import { credentialsOf } from './credentials.js';
import { createPolicyEnforcer, PolicyNotAuthorized } from './enforcer.js';
import type { Credentials, RuleDefault } from './policy.js';

const defaults: RuleDefault[] = [
  { name: 'admin_required', checkStr: 'role:admin or is_admin:True', description: 'The cloud administrator.' },
  { name: 'owner', checkStr: 'project_id:%(target.project.id)s', description: 'The project of the target.' },
  { name: 'identity:get_project', checkStr: 'rule:admin_required or (role:reader and rule:owner)', description: 'Show a project.' },
  { name: 'identity:create_project', checkStr: 'rule:admin_required', description: 'Create a project.' },
  { name: 'identity:typo', checkStr: 'rule:admin_requried', description: 'Refers to a rule nobody defines.' },
];

const admin: Credentials = { user_id: 'admin', project_id: 'admin-project', roles: ['admin', 'member', 'reader'] };
const readerOfA: Credentials = { user_id: 'alice', project_id: 'A', roles: ['reader'] };
const projectA = { target: { project: { id: 'A' } } };
const projectB = { target: { project: { id: 'B' } } };

async function withPolicyFile(name: string, content: string, fn: (path: string) => void): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'nimbus-policy-'));
  try {
    await writeFile(join(dir, name), content);
    fn(join(dir, name));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe('createPolicyEnforcer', () => {
  const records: LogRecord[] = [];
  configureLogging({ sink: (_line, record) => void records.push(record) });
  after(() => configureLogging({ sink: (line) => void process.stderr.write(line + '\n') }));

  test('defaults decide: admin anywhere, a reader only in their project', () => {
    const policy = createPolicyEnforcer({ defaults });
    assert.equal(policy.check('identity:get_project', projectB, admin), true);
    assert.equal(policy.check('identity:get_project', projectA, readerOfA), true);
    assert.equal(policy.check('identity:get_project', projectB, readerOfA), false);
    assert.equal(policy.check('identity:create_project', {}, { roles: [], is_admin: true }), true);
  });

  test("enforce throws a 403 with Nova's message", () => {
    const policy = createPolicyEnforcer({ defaults });
    policy.enforce('identity:get_project', projectA, readerOfA);
    assert.throws(
      () => policy.enforce('identity:create_project', {}, readerOfA),
      (error: unknown) =>
        error instanceof PolicyNotAuthorized &&
        error.status === 403 &&
        error.action === 'identity:create_project' &&
        error.message === "Policy doesn't allow identity:create_project to be performed.",
    );
  });

  test('a reference to a missing rule denies, and is logged at start', () => {
    records.length = 0;
    const policy = createPolicyEnforcer({ defaults });
    assert.equal(policy.check('identity:typo', {}, admin), false);
    assert.ok(records.some((r) => r.level === 'WARNING' && r.message.includes('"identity:typo" refers to undefined rule "admin_requried"')));
  });

  test('an unknown action is a bug, not a denial', () => {
    const policy = createPolicyEnforcer({ defaults });
    assert.throws(() => policy.check('identity:nope', {}, admin), /not defined/);
    assert.throws(() => policy.enforce('identity:nope', {}, admin), /not defined/);
  });

  test('a YAML file overrides defaults by name, and rules referring to them follow', () =>
    withPolicyFile('policy.yaml', '"admin_required": "role:superuser"\n"identity:create_project": "@"\n', (path) => {
      const policy = createPolicyEnforcer({ defaults, overridesFile: path });
      assert.equal(policy.check('identity:get_project', projectB, admin), false, 'admin is no longer enough');
      assert.equal(policy.check('identity:get_project', projectB, { roles: ['SuperUser'] }), true);
      assert.equal(policy.check('identity:create_project', {}, { roles: [] }), true);
    }));

  test('a JSON file overrides too', () =>
    withPolicyFile('policy.json', '{"identity:get_project": "!"}', (path) => {
      const policy = createPolicyEnforcer({ defaults, overridesFile: path });
      assert.equal(policy.check('identity:get_project', projectA, admin), false);
    }));

  test('unknown names in the file stop the start, all of them named', () =>
    withPolicyFile('policy.yaml', '"identity:get_projct": "@"\n"owner": "@"\n"compute:x": "@"\n', (path) => {
      assert.throws(
        () => createPolicyEnforcer({ defaults, overridesFile: path }),
        (error: unknown) =>
          error instanceof StartupError && error.message.endsWith('names unknown rules: identity:get_projct, compute:x'),
      );
    }));

  test('a check string that does not parse stops the start, naming rule, file and position', () =>
    withPolicyFile('policy.yaml', '"owner": "role:a and (role:b"\n', (path) => {
      assert.throws(
        () => createPolicyEnforcer({ defaults, overridesFile: path }),
        (error: unknown) =>
          error instanceof StartupError &&
          error.message ===
            `Policy rule "owner" (in ${path}): Unclosed '(' at position 11 in "role:a and (role:b"`,
      );
    }));

  test('bad defaults are reported too', () => {
    assert.throws(
      () => createPolicyEnforcer({ defaults: [{ name: 'x', checkStr: 'role:a and', description: '' }] }),
      /Policy rule "x" \(default\): Expected a check at position 10/,
    );
    const duplicate: RuleDefault = { name: 'owner', checkStr: '@', description: 'Again.' };
    assert.throws(() => createPolicyEnforcer({ defaults: [...defaults, duplicate] }), /Policy rule owner has two defaults/);
  });

  test('rules that refer to each other in a circle stop the start', () => {
    assert.throws(
      () =>
        createPolicyEnforcer({
          defaults: [
            { name: 'a', checkStr: 'role:x or rule:b', description: '' },
            { name: 'b', checkStr: 'not rule:a', description: '' },
          ],
        }),
      /in a circle: a -> b -> a/,
    );
  });
});

describe('credentialsOf', () => {
  test('maps the request context to oslo credential names', () => {
    assert.deepEqual(
      credentialsOf({
        requestId: 'req-1',
        userId: 'u',
        userName: 'alice',
        userDomainId: 'default',
        projectId: 'p',
        projectDomainId: 'default',
        roles: ['member', 'reader'],
        isAdmin: false,
        authToken: 'secret',
      }),
      { user_id: 'u', user_domain_id: 'default', project_id: 'p', project_domain_id: 'default', roles: ['member', 'reader'], is_admin: false },
    );
    assert.deepEqual(credentialsOf({ requestId: 'req-2', domainId: 'd', isAdmin: true }), { domain_id: 'd', roles: [], is_admin: true });
  });

  test('an anonymous context passes no user or project check', () => {
    const policy = createPolicyEnforcer({ defaults });
    assert.equal(policy.check('owner', { target: { project: { id: 'A' } } }, credentialsOf({ requestId: 'req-3' })), false);
  });
});
