import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { linuxBridgeSkip } from '../../src/network/agent/linux-bridge/testing/linux-harness.js';
import { openstackOk } from '../support/openstack-cli.js';
import { qemuCliUnavailable, startQemuCliCloud, type QemuCliCloud } from '../support/qemu-cli-cloud.js';

// Issue 14's metadata acceptance through Debian's openstack CLI: a real TCG guest on DevStack's
// `private` network, booted without a config drive, reads its hostname and SSH key from
// 169.254.169.254 (its default route to router1, whose qrouter- namespace redirects it to haproxy,
// the metadata agent's socket, Nova's metadata API) and says so on its console. Traffic stays inside what this cloud built.
const skip = qemuCliUnavailable() || (await linuxBridgeSkip());

const SERVER = 'meta-vm1';
const PUBLIC_KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHa8WJ1PVJSfBJ/qkA7BGUmd1yEp7+h/A6E0glWrT8Lc meta@nimbus';

describe('a real guest reads its metadata from 169.254.169.254 (qemu driver, Linux bridge)', { skip }, () => {
  let cloud: QemuCliCloud;

  before(async () => {
    cloud = await startQemuCliCloud('mdcli', 1);
  });
  after(async () => {
    await cloud.stop([SERVER]);
  });

  test('--config-drive false --key-name: the console shows the hostname and key from the metadata service', async () => {
    writeFileSync(join(cloud.stateDir, 'meta.pub'), `${PUBLIC_KEY}\n`);
    await openstackOk(cloud.admin, ['keypair', 'create', '--public-key', join(cloud.stateDir, 'meta.pub'), 'k']);
    await cloud.ok(['server', 'create', '--image', 'nimbus-tiny', '--flavor', 'm1.tiny', '--network', 'private', '--key-name', 'k', '--config-drive', 'false', SERVER]);
    await cloud.waitForStatus(SERVER, 'ACTIVE');
    const ready = await cloud.nextBoot(SERVER);
    assert.match(ready.line, new RegExp(`host=${SERVER} .*md=metadata `), ready.line);
    const log = (await cloud.ok(['console', 'log', 'show', SERVER])).stdout;
    assert.match(log, new RegExp(`nimbus-metadata: source=metadata-service hostname=${SERVER} key=${PUBLIC_KEY.replaceAll('+', '\\+')}`));
    // The key landed where sshd would read it.
    assert.match(await cloud.inGuest(SERVER, 'cat /root/.ssh/authorized_keys', 30_000), /meta@nimbus/);
  });
});
