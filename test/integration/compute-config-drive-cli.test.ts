import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { qemuSystemBinary } from '../../src/compute/virt/qemu/host/qemu-binary.js';
import { InstanceDir, hostPaths } from '../../src/compute/virt/qemu/instance/instance-dir.js';
import { killQemusUnder } from '../../src/compute/virt/qemu/testing/stray-qemus.js';
import { freePort } from '../support/free-port.js';
import { runNimbus, type NimbusProcess } from '../support/nimbus-process.js';
import { openstack, openstackCliUnavailable, openstackJson, openstackOk, parseOpenrc, type OpenstackEnv } from '../support/openstack-cli.js';
import { openstackRest, pollUntil } from '../support/openstack-rest.js';

// A config drive through Debian's openstack CLI on `nimbus up --driver qemu`: one real guest
// reads its hostname, key and user data from the drive, and its user-data script runs.
const skip = openstackCliUnavailable() || (qemuSystemBinary() === undefined ? 'qemu-system-x86_64 is not installed' : false);

const PUBLIC_KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHa8WJ1PVJSfBJ/qkA7BGUmd1yEp7+h/A6E0glWrT8Lc test@nimbus';
// The guest's init sends a user-data script's output to a log file: the console is written explicitly.
const USER_DATA = '#!/bin/sh\necho "user-data-ran on $(hostname) with key $(cut -d" " -f3 /root/.ssh/authorized_keys)" > /dev/console\n';

describe('config drive through the openstack CLI (qemu driver)', { skip }, () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'nimbus-cd-'));
  let nimbus: NimbusProcess;
  let admin: OpenstackEnv;

  before(async () => {
    const port = await freePort();
    nimbus = runNimbus(['up', '--state-dir', stateDir, '--port', String(port), '--driver', 'qemu', '--compute-hosts', '1']);
    await nimbus.waitFor(/Nimbus all-in-one cloud is running/);
    admin = parseOpenrc(readFileSync(join(stateDir, 'admin-openrc'), 'utf8'));
  });
  after(async () => {
    // Guests outlive their agent by design: the test ends its own.
    await openstack(admin, ['server', 'delete', '--wait', 'Configured Server']);
    killQemusUnder(stateDir);
    nimbus.child.kill('SIGTERM');
    await nimbus.exited();
    rmSync(stateDir, { recursive: true, force: true });
  });

  test('--config-drive true with --user-data and --key-name: the guest runs the script under its hostname, with the key', async (t) => {
    writeFileSync(join(stateDir, 'key.pub'), `${PUBLIC_KEY}\n`);
    writeFileSync(join(stateDir, 'user-data.sh'), USER_DATA);
    await openstackOk(admin, ['keypair', 'create', '--public-key', join(stateDir, 'key.pub'), 'mykey']);
    const started = Date.now();
    await openstackOk(admin, [
      'server', 'create', '--image', 'nimbus-tiny', '--flavor', 'm1.tiny',
      '--config-drive', 'true', '--user-data', join(stateDir, 'user-data.sh'), '--key-name', 'mykey', 'Configured Server',
    ]);
    // Polled over REST (300 polls of the CLI took at least 600 s), then read through the CLI.
    const rest = openstackRest(admin);
    await pollUntil(
      'the ready line',
      async () => (/nimbus-tiny ready/.test(await rest.consoleLog(String((await rest.serverNamed('Configured Server'))['id']))) ? true : undefined),
      600_000,
    ).catch(() => undefined);
    const log = (await openstack(admin, ['console', 'log', 'show', 'Configured Server'])).stdout;
    t.diagnostic(`create → ready line ${Date.now() - started} ms (through the CLI)`);
    assert.match(log, /user-data-ran on configured-server with key test@nimbus/);
    assert.match(log, /=== nimbus-tiny ready: host=configured-server .* md=config-drive disks=vda,vdb /);

    const shown = await openstackJson<Record<string, unknown>>(admin, ['server', 'show', 'Configured Server']);
    assert.equal(shown['config_drive'], 'True');
    assert.equal(shown['key_name'], 'mykey');
    const dir = new InstanceDir(hostPaths(stateDir, String(shown['OS-EXT-SRV-ATTR:host'])), String(shown['id']));
    await openstackOk(admin, ['server', 'delete', '--wait', 'Configured Server']);
    assert.equal(existsSync(dir.configDrive), false, 'the drive goes with the instance directory');
  });
});
