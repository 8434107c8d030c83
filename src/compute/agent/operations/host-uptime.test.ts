import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hostUptimeOperation } from './host-uptime.js';

test("get_host_uptime answers this host's `uptime` line, as the CLI's hypervisor show parses it", async () => {
  const line = await hostUptimeOperation().get_host_uptime({});
  // python-openstackclient: '(.*) up (.*), +(.*) users?, +load average: (.*)'
  assert.match(line, /^ *\d\d:\d\d:\d\d up .*, +\d+ users?, +load average: [\d.]+, [\d.]+, [\d.]+$/);
});
