import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { NAME_FORMATS } from './name-formats.js';

function check(format: string, value: string): boolean {
  const found = NAME_FORMATS[format];
  assert.ok(found !== undefined, format);
  return found.check(value);
}

describe("Nova's name formats", () => {
  test('name: printable, inner spaces of any kind, no blank ends', () => {
    for (const good of ['vm', 'a b', 'a\u00a0b', 'ünï 名前', 'x']) assert.ok(check('name', good), JSON.stringify(good));
    for (const bad of ['a\u0000', 'a\u007fb', 'a\u0085b', 'a\u200bb', 'a\u2028b', 'a\u2029b', ' a', 'a ', '\u00a0a', 'a\ufeff', '\ud800']) {
      assert.ok(!check('name', bad), JSON.stringify(bad));
    }
  });

  test('az_name refuses ":"; the _with_leading_trailing_spaces kinds keep blank ends but need content', () => {
    assert.ok(!check('az_name', 'zone:1'));
    assert.ok(check('name_with_leading_trailing_spaces', ' a '));
    assert.ok(!check('name_with_leading_trailing_spaces', '   '));
    assert.ok(!check('name_with_leading_trailing_spaces', ' a\u0007 '));
    assert.ok(!check('az_name_with_leading_trailing_spaces', ' a:b '));
  });
});
