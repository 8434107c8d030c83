import assert from 'node:assert/strict';
import { test } from 'node:test';
import { settableRange } from './settable-range.js';

test("settable ranges as Nova's get_settable_quotas computes them", () => {
  // Nova's own example: 20 for the project, two users given 5 each; one of them may get up to 15.
  assert.deepEqual(settableRange({ projectLimit: 20, inUse: 2, givenToUsers: [5, 5], user: { own: 5 } }), { minimum: 2, maximum: 15 });
  assert.deepEqual(settableRange({ projectLimit: 20, inUse: 0, givenToUsers: [5, 5], user: { own: undefined } }), { minimum: 0, maximum: 10 });
  assert.deepEqual(settableRange({ projectLimit: -1, inUse: 3, givenToUsers: [5], user: { own: undefined } }), { minimum: 3, maximum: -1 });
  assert.deepEqual(settableRange({ projectLimit: 20, inUse: 0, givenToUsers: [-1], user: { own: -1 } }), { minimum: 0, maximum: -1 });
  // A project may not go below its use, nor below what its users hold.
  assert.deepEqual(settableRange({ projectLimit: 20, inUse: 4, givenToUsers: [5, 5] }), { minimum: 10, maximum: -1 });
  assert.deepEqual(settableRange({ projectLimit: 20, inUse: 12, givenToUsers: [5, 5] }), { minimum: 12, maximum: -1 });
  assert.deepEqual(settableRange({ projectLimit: -1, inUse: 4, givenToUsers: [5] }), { minimum: 4, maximum: -1 });
});
