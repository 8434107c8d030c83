import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import { runWithContext } from '../context/request-context.js';
import { configureLogging, getLogger } from './logger.js';
import { tokenFingerprint } from './token-redaction.js';

const lines: string[] = [];
configureLogging({ sink: (line) => lines.push(line) });

const PREFIX = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} \d+ /;

describe('OpenStack log format', () => {
  afterEach(() => {
    lines.length = 0;
    configureLogging({ debug: false });
  });

  test('outside a request: timestamp pid LEVEL module [-] message', () => {
    getLogger('nimbus.test').info('hello');
    assert.match(lines[0] ?? '', PREFIX);
    assert.match(lines[0] ?? '', new RegExp(`^\\S+ \\S+ ${process.pid} INFO nimbus\\.test \\[-\\] hello$`));
  });

  test('inside a request: [req-id user project] and [instance: uuid]', async () => {
    const context = { requestId: 'req-1', userId: 'u1', projectId: 'p1' };
    await runWithContext(context, async () => {
      await new Promise((resolve) => setImmediate(resolve));
      getLogger('nimbus.compute.manager').warning('Pausing', { instance: 'abc' });
    });
    assert.match(lines[0] ?? '', / WARNING nimbus\.compute\.manager \[req-1 u1 p1\] \[instance: abc\] Pausing$/);
  });

  test('a global request id precedes the local one, missing ids print as -', () => {
    runWithContext({ requestId: 'req-2', globalRequestId: 'req-g' }, () => getLogger('m').error('boom'));
    assert.match(lines[0] ?? '', / ERROR m \[req-g req-2 - -\] boom$/);
  });

  test('DEBUG is off unless --debug', () => {
    getLogger('m').debug('hidden');
    assert.equal(lines.length, 0);
    configureLogging({ debug: true });
    getLogger('m').debug('shown');
    assert.equal(lines.length, 1);
  });

  test('a Fernet token in a message or an error is logged as its fingerprint', () => {
    const token = `gAAAAABp${'x1_-Y'.repeat(30)}`;
    getLogger('m').warning(`Dropped a message quoting ${token}.`, { error: new Error(`bad token ${token}`) });
    const text = lines[0] ?? '';
    assert.ok(!text.includes(token.slice(8)), text);
    assert.ok(text.includes(`quoting ${tokenFingerprint(token)}.`));
    assert.ok(text.includes(`Error: bad token ${tokenFingerprint(token)}`));
  });

  test('an error stack repeats the prefix on every line', () => {
    getLogger('m').error('failed', { error: new Error('disk full', { cause: new Error('ENOSPC') }) });
    const text = lines[0] ?? '';
    const rows = text.split('\n');
    assert.ok(rows.length > 3);
    for (const row of rows) assert.match(row, / ERROR m \[-\] /);
    assert.ok(text.includes('Error: disk full'));
    assert.ok(text.includes('Caused by: Error: ENOSPC'));
  });
});
