import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InstanceEvents } from './instance-events.js';

const PLUGGED = { name: 'network-vif-plugged', tag: 'port-1' };

test('an event delivered while waited for arrives; one nobody waits for is refused', async () => {
  const events = new InstanceEvents();
  const prepared = events.prepare('vm-1', [PLUGGED]);
  assert.equal(events.pop('vm-1', { ...PLUGGED, status: 'completed' }), true);
  assert.deepEqual(await prepared.wait(5), { missing: [], failed: [] });
  assert.equal(events.pop('vm-1', { ...PLUGGED, status: 'completed' }), false);
});

test("cancelAll (a stopping agent, Nova's cancel_all_events) ends every wait at once with its events failed, and takes no new one", async () => {
  const events = new InstanceEvents();
  // A wait as long as vif_plugging_timeout's default: the cancel, not the timeout, ends it.
  const waiting = events.prepare('vm-1', [PLUGGED]).wait(300);
  events.cancelAll();
  assert.deepEqual(await waiting, { missing: [], failed: ['network-vif-plugged-port-1'] });
  assert.throws(() => events.prepare('vm-2', [PLUGGED]), /In shutdown, no new events can be scheduled/);
});
