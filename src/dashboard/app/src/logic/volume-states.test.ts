import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { extendSize, isSettling, snapshotDeletable, volumeActions, volumeCreateBody } from './volume-states.js';

describe('volume states on the Volumes page', () => {
  test('each status offers only what Cinder accepts in it', () => {
    assert.deepEqual(volumeActions('available'), ['attach', 'extend', 'snapshot', 'delete']);
    assert.deepEqual(volumeActions('in-use'), ['detach', 'extend', 'snapshot']);
    assert.deepEqual(volumeActions('error'), ['delete']);
    assert.deepEqual(volumeActions('creating'), []);
    assert.deepEqual(volumeActions('attaching'), []);
  });

  test('transitional statuses are settling; resting ones are not', () => {
    for (const status of ['creating', 'attaching', 'detaching', 'deleting', 'extending', 'downloading']) assert.equal(isSettling(status), true, status);
    for (const status of ['available', 'in-use', 'error']) assert.equal(isSettling(status), false, status);
  });

  test('snapshots are deletable at rest only', () => {
    assert.equal(snapshotDeletable('available'), true);
    assert.equal(snapshotDeletable('error'), true);
    assert.equal(snapshotDeletable('creating'), false);
  });

  test('a create body names its source: none, an image or a snapshot', () => {
    assert.deepEqual(volumeCreateBody('data', 2, { kind: 'blank' }), { volume: { size: 2, name: 'data' } });
    assert.deepEqual(volumeCreateBody('', 1, { kind: 'image', id: 'img' }), { volume: { size: 1, imageRef: 'img' } });
    assert.deepEqual(volumeCreateBody('copy', 3, { kind: 'snapshot', id: 'snap' }), { volume: { size: 3, name: 'copy', snapshot_id: 'snap' } });
  });

  test('an extend asks for a whole number of GiB above the current size', () => {
    assert.equal(extendSize(1, '2'), 2);
    assert.equal(extendSize(2, '2'), 'The new size must be more than the current 2 GiB.');
    assert.equal(extendSize(1, '1.5'), 'The new size is a whole number of GiB.');
    assert.equal(extendSize(1, 'big'), 'The new size is a whole number of GiB.');
  });
});
