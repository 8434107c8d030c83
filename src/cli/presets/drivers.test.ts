import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { FakeDriver } from '../../compute/virt/fake/fake-driver.js';
import { computeDriverFactory } from './drivers.js';

test('the fake driver factory builds the fake driver for its host', async () => {
  const drivers = await computeDriverFactory('fake', { stateDir: '/nonexistent', images: { openImageData: async () => Readable.from([]) } });
  const driver = drivers('compute-7');
  assert.ok(driver instanceof FakeDriver);
  assert.equal(driver.host, 'compute-7');
  assert.equal(driver.type, 'fake');
});
