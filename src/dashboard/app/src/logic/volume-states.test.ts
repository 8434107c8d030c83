import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { backupActions, backupCreateBody, extendSize, isSettling, restoreBody, restoreTargets, snapshotDeletable, volumeActions, volumeCreateBody } from './volume-states.js';

describe('volume states on the Volumes page', () => {
  test('each status offers only what Cinder accepts in it', () => {
    assert.deepEqual(volumeActions('available'), ['attach', 'extend', 'snapshot', 'backup', 'delete']);
    assert.deepEqual(volumeActions('in-use'), ['detach', 'extend', 'snapshot', 'backup']);
    assert.deepEqual(volumeActions('backing-up'), []);
    assert.deepEqual(volumeActions('restoring-backup'), []);
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

  test('a backup is restored once available and deleted at rest, unless an incremental depends on it', () => {
    assert.deepEqual(backupActions({ status: 'available', has_dependent_backups: false }), ['restore', 'delete']);
    assert.deepEqual(backupActions({ status: 'available', has_dependent_backups: true }), ['restore']);
    assert.deepEqual(backupActions({ status: 'error' }), ['delete']);
    for (const status of ['creating', 'restoring', 'deleting', 'error_deleting']) assert.deepEqual(backupActions({ status }), [], status);
    assert.equal(isSettling('restoring'), true);
  });

  test("a backup's create and restore bodies, and the volumes it fits into", () => {
    assert.deepEqual(backupCreateBody({ id: 'v1', status: 'available' }, '', false), { backup: { volume_id: 'v1' } });
    assert.deepEqual(backupCreateBody({ id: 'v1', status: 'in-use' }, 'nightly', true), { backup: { volume_id: 'v1', name: 'nightly', incremental: true, force: true } });
    assert.deepEqual(restoreBody('', ''), { restore: {} });
    assert.deepEqual(restoreBody('', 'back'), { restore: { name: 'back' } });
    assert.deepEqual(restoreBody('v2', 'ignored'), { restore: { volume_id: 'v2' } });
    const volumes = [
      { id: 'small', status: 'available', size: 1 },
      { id: 'big', status: 'available', size: 3 },
      { id: 'busy', status: 'in-use', size: 3 },
    ];
    assert.deepEqual(
      restoreTargets(volumes, { size: 2 }).map((v) => v.id),
      ['big'],
    );
  });
});
