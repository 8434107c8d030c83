import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { runCommand } from '../process/run-command.js';
import { linuxBridgeSkip } from '../../network/agent/linux-bridge/testing/linux-harness.js';
import { addTap, isTap } from './taps.js';

describe('addTap', { skip: await linuxBridgeSkip() }, () => {
  test('two sides making the same tap at once both succeed, and exactly one of them made it', async () => {
    const name = `tnt${randomBytes(4).toString('hex')}`;
    try {
      // The compute driver and the network agent plug a live migration's destination at the same moment.
      for (let round = 0; round < 20; round += 1) {
        const made = await Promise.all([addTap(name), addTap(name), addTap(name)]);
        assert.ok(await isTap(name));
        assert.ok(made.filter(Boolean).length >= 1, `round ${round}: nobody made ${name}`);
        await runCommand('ip', ['link', 'del', 'dev', name]);
      }
    } finally {
      await runCommand('ip', ['link', 'del', 'dev', name]).catch(() => undefined);
    }
  });

  test('a name that is taken by another kind of device is refused', async () => {
    const name = `tnb${randomBytes(4).toString('hex')}`;
    await runCommand('ip', ['link', 'add', 'name', name, 'type', 'bridge']);
    try {
      await assert.rejects(addTap(name));
    } finally {
      await runCommand('ip', ['link', 'del', 'dev', name]);
    }
  });
});
