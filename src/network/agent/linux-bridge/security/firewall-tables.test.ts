import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createTables } from './firewall-tables.js';

test('nothing is routed between Nimbus bridges and other interfaces unless an uplink is named', () => {
  const closed = createTables('nimbus', undefined);
  assert.ok(closed.includes('add rule inet nimbus forward iifname @bridges oifname != @bridges drop'));
  assert.ok(closed.includes('add rule inet nimbus forward oifname @bridges iifname != @bridges drop'));
  const open = createTables('nimbus', 'eth1');
  assert.ok(open.includes('add rule inet nimbus forward iifname @bridges oifname != @bridges oifname != "eth1" drop'));
  assert.ok(open.includes('add rule inet nimbus forward oifname @bridges iifname != @bridges iifname != "eth1" drop'));
});
