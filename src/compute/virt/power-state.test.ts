import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PowerState, powerStateName } from './power-state.js';

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
