import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { findExecutable } from '../../../common/process/find-executable.js';
import { checkLinuxBridgeAvailable } from './availability.js';

const setpriv = findExecutable('setpriv');
const MODULE = fileURLToPath(new URL('./availability.js', import.meta.url));

test('without CAP_NET_ADMIN the data path is unavailable, with the one reason', { skip: process.getuid?.() !== 0 || setpriv === undefined ? 'needs root and setpriv (util-linux) to drop the capability' : false }, async () => {
  const script = `import(${JSON.stringify(MODULE)}).then((m) => m.checkLinuxBridgeAvailable()).then((r) => process.stdout.write(JSON.stringify(r)))`;
  const { stdout } = await promisify(execFile)(setpriv ?? 'setpriv', ['--bounding-set', '-net_admin', process.execPath, '-e', script]);
  const availability = JSON.parse(stdout) as { available: boolean; reason?: string };
  assert.equal(availability.available, false);
  assert.match(availability.reason ?? '', /CAP_NET_ADMIN/);
});

test('with CAP_NET_ADMIN and the tools, it is available', { skip: process.getuid?.() !== 0 ? 'needs root' : false }, async () => {
  const availability = await checkLinuxBridgeAvailable();
  assert.deepEqual(availability, { available: true }, availability.available ? '' : availability.reason);
});
