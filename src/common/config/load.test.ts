import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { StartupError } from '../errors/errors.js';
import { loadConfig } from './load.js';
import { TempDirs } from '../../../test/support/temp-dirs.js';

const tempDirs = new TempDirs();
after(() => tempDirs.removeAll());

function configFile(text: string): string {
  const path = join(tempDirs.make('nimbus-config-'), 'nimbus.conf');
  writeFileSync(path, text);
  return path;
}

describe('loadConfig', () => {
  test('needs no file: defaults derive from the state dir', () => {
    const config = loadConfig({ env: { NIMBUS_STATE_DIR: '/srv/nimbus' } });
    assert.equal(config.api.port, 8770);
    assert.equal(config.api.bind_host, '127.0.0.1');
    assert.equal(config.database.connection, 'sqlite:////srv/nimbus/nimbus.sqlite');
    assert.equal(config.bus.transport_url, 'inproc://');
    assert.equal(config.DEFAULT.debug, false);
  });

  test('file < environment < flags', () => {
    const file = configFile('[DEFAULT]\nstate_dir = /from/file\n\n[api]\nport = 9000 \n# a comment\nbind_host=0.0.0.0\n');
    const fromFile = loadConfig({ file, env: {} });
    assert.equal(fromFile.DEFAULT.state_dir, '/from/file');
    assert.equal(fromFile.api.port, 9000);
    assert.equal(fromFile.api.bind_host, '0.0.0.0');

    const fromEnv = loadConfig({ file, env: { NIMBUS_API_PORT: '9100' } });
    assert.equal(fromEnv.api.port, 9100);

    const fromFlags = loadConfig({ file, env: { NIMBUS_API_PORT: '9100' }, flags: { api: { port: '9200' } } });
    assert.equal(fromFlags.api.port, 9200);
  });

  test('the database default follows a state dir given on the command line', () => {
    const config = loadConfig({ env: {}, flags: { DEFAULT: { state_dir: '/tmp/x' } } });
    assert.equal(config.database.connection, 'sqlite:////tmp/x/nimbus.sqlite');
  });

  test('expands ~ in paths', () => {
    const config = loadConfig({ env: { NIMBUS_STATE_DIR: '~/clouds' } });
    assert.match(config.DEFAULT.state_dir, /^\/.*\/clouds$/);
  });

  test('an unknown key in the file is an error naming it and its line', () => {
    const file = configFile('[database]\nconection = sqlite:///x\n');
    assert.throws(
      () => loadConfig({ file, env: {} }),
      (err: unknown) =>
        err instanceof StartupError && /line 2: unknown option "conection" in section \[database\]/.test(err.message),
    );
  });

  test('an unknown section is an error', () => {
    const file = configFile('[compute_typo]\ndriver = fake\n');
    assert.throws(() => loadConfig({ file, env: {} }), /unknown section \[compute_typo\]/);
  });

  test('bad values name the key and where the value came from', () => {
    const file = configFile('[api]\nport = eighty\n');
    assert.throws(() => loadConfig({ file, env: {} }), /\[api\] port \(.*nimbus.conf line 2\): expected an integer/);
    assert.throws(
      () => loadConfig({ env: { NIMBUS_COMPUTE_DRIVER: 'xen' } }),
      /\[compute\] driver \(environment NIMBUS_COMPUTE_DRIVER\): expected one of auto, qemu, fake, got "xen"/,
    );
    assert.throws(() => loadConfig({ env: { NIMBUS_DEBUG: 'maybe' } }), /\[DEFAULT\] debug .*expected true or false/);
    assert.throws(() => loadConfig({ env: { NIMBUS_BUS_TRANSPORT_URL: 'kafka://x' } }), /\[bus\] transport_url/);
    assert.throws(() => loadConfig({ env: {}, flags: { api: { port: '70000' } } }), /\[api\] port \(command line\)/);
  });

  test("accepts oslo.db's driver-qualified database URLs", () => {
    const config = loadConfig({ env: { NIMBUS_DATABASE_CONNECTION: 'mysql+pymysql://root@127.0.0.1/nimbus' } });
    assert.equal(config.database.connection, 'mysql+pymysql://root@127.0.0.1/nimbus');
  });

  test('a line that is not key = value is an error', () => {
    const file = configFile('[api]\njust some words\n');
    assert.throws(() => loadConfig({ file, env: {} }), /line 2: cannot parse/);
  });

  test('a missing config file is an error', () => {
    assert.throws(() => loadConfig({ file: '/nonexistent/nimbus.conf', env: {} }), /Cannot read config file/);
  });

  test("image stores as Glance's: enabled_backends, default_backend and a section per store", () => {
    const file = configFile(
      ['[DEFAULT]', 'state_dir = /srv/nimbus', 'enabled_backends = fast:file, slow:file', '[glance_store]', 'default_backend = slow', '[fast]', 'filesystem_store_datadir = /mnt/ssd/images', 'store_description = SSD'].join('\n'),
    );
    const config = loadConfig({ file, env: {} });
    assert.equal(config.glance_store.default_backend, 'slow');
    assert.deepEqual(config.stores, {
      fast: { filesystem_store_datadir: '/mnt/ssd/images', store_description: 'SSD' },
      slow: { filesystem_store_datadir: '/srv/nimbus/image-stores/slow', store_description: '' },
    });
    assert.deepEqual(loadConfig({ file: configFile(''), env: {} }).stores, {}, 'no enabled_backends: no store sections');
  });

  test('store sections and names are checked: a section of no store, an unknown option in one, a default that is no store, a bad type', () => {
    const backends = '[DEFAULT]\nenabled_backends = fast:file\n';
    assert.throws(() => loadConfig({ file: configFile(`${backends}[slow]\nfilesystem_store_datadir = /x\n`), env: {} }), /line 4: unknown section \[slow\]/);
    assert.throws(() => loadConfig({ file: configFile(`${backends}[fast]\nfilesystem_store_datdir = /x\n`), env: {} }), /unknown option "filesystem_store_datdir" in section \[fast\]/);
    assert.throws(() => loadConfig({ file: configFile(`${backends}[glance_store]\ndefault_backend = slow\n`), env: {} }), /default_backend: "slow" is not a store/);
    assert.throws(() => loadConfig({ file: configFile('enabled_backends = fast:rbd\n'), env: {} }), /only file stores are offered/);
    assert.throws(() => loadConfig({ file: configFile('enabled_backends = fast:file, fast:file\n'), env: {} }), /"fast" is named twice/);
  });
});
