import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeDriver } from './fake/fake-driver.js';
import { createDriver } from './index.js';
import { PowerState, powerStateName } from './power-state.js';

test('createDriver builds the fake driver for its host', () => {
  const driver = createDriver('fake', { host: 'compute-7' });
  assert.ok(driver instanceof FakeDriver);
  assert.equal(driver.host, 'compute-7');
  assert.equal(driver.type, 'fake');
});

test('power states carry Nova numbers and names', () => {
  assert.deepEqual(
    Object.values(PowerState).map((state) => [state, powerStateName(state)]),
    [
      [0, 'pending'],
      [1, 'running'],
      [3, 'paused'],
      [4, 'shutdown'],
      [6, 'crashed'],
      [7, 'suspended'],
    ],
  );
});
