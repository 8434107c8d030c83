import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { NotFound } from '../errors/errors.js';
import { Microversion } from './microversion.js';
import { versioned } from './versioned.js';

const v = (text: string) => Microversion.of(text);

describe('versioned()', () => {
  const table = versioned([
    { min: '2.47', max: '2.99', value: 'flavor as dict' },
    { min: '2.1', max: '2.46', value: 'flavor as link' },
    { min: '2.100', value: 'flavor with extra specs' },
  ]);

  test('selects by range, inclusive at both edges, in any declaration order', () => {
    assert.equal(table.select(v('2.1')), 'flavor as link');
    assert.equal(table.select(v('2.46')), 'flavor as link');
    assert.equal(table.select(v('2.47')), 'flavor as dict');
    assert.equal(table.select(v('2.99')), 'flavor as dict');
    assert.equal(table.select(v('2.100')), 'flavor with extra specs');
    assert.equal(table.select(v('2.999')), 'flavor with extra specs');
  });

  test('outside every range the method does not exist: 404', () => {
    const later = versioned([{ min: '2.47', max: '2.60', value: 'x' }]);
    assert.equal(later.find(v('2.46')), undefined);
    assert.equal(later.find(v('2.61')), undefined);
    assert.throws(() => later.select(v('2.46')), NotFound);
    assert.throws(() => later.select(v('3.0')), /API version 3\.0 is not supported on this method/);
  });

  test('overlaps, gaps and bad ranges throw when the table is built', () => {
    assert.throws(
      () => versioned([{ min: '2.1', max: '2.47', value: 1 }, { min: '2.47', value: 2 }]),
      /Version ranges 2\.1-2\.47 and 2\.47- overlap/,
    );
    assert.throws(
      () => versioned([{ min: '2.1', max: '2.45', value: 1 }, { min: '2.47', value: 2 }]),
      /leave a gap/,
    );
    assert.throws(() => versioned([{ min: '2.1', value: 1 }, { min: '2.47', value: 2 }]), /open-ended/);
    assert.throws(() => versioned([{ min: '2.5', max: '2.4', value: 1 }]), /ends before it starts/);
    assert.throws(() => versioned([{ min: '2.x', value: 1 }]), /Malformed microversion literal/);
    assert.throws(() => versioned([]), /at least one range/);
  });
});
