import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BadRequest, StartupError } from '../../common/errors/errors.js';
import { passwordRules } from './password-rules.js';

function refusal(check: (plain: string) => void, plain: string): string | undefined {
  try {
    check(plain);
    return undefined;
  } catch (error) {
    assert.ok(error instanceof BadRequest);
    assert.equal(error.status, 400);
    return error.message;
  }
}

describe('passwordRules', () => {
  test('by default only the empty and the overlong password are refused', () => {
    const check = passwordRules();
    assert.equal(refusal(check, 'x'), undefined);
    assert.equal(refusal(check, ''), 'The password does not match the requirements: at least 1 characters.');
    assert.match(refusal(check, 'x'.repeat(4097)) ?? '', /longer than 4096 characters/);
  });

  test('lengths count characters, not bytes', () => {
    const check = passwordRules({ minLength: 4, maxLength: 5 });
    assert.equal(refusal(check, 'äöü€'), undefined);
    assert.equal(refusal(check, '🔑🔑🔑'), 'The password does not match the requirements: at least 4 characters.');
    assert.match(refusal(check, '🔑🔑🔑🔑🔑🔑') ?? '', /longer than 5/);
  });

  test('a regex is matched from the start, like re.match, with its description as the message', () => {
    const check = passwordRules({
      regex: '(?=.*\\d)(?=.*[a-zA-Z]).{7,}',
      regexDescription: 'must contain at least one letter, one digit, and be a minimum length of 7 characters',
    });
    assert.equal(refusal(check, 'abcdef1'), undefined);
    assert.equal(refusal(check, 'abcdef1'), undefined, 'repeatable: the sticky regex is rewound');
    assert.equal(
      refusal(check, 'abcdefg'),
      'The password does not match the requirements: must contain at least one letter, one digit, and be a minimum length of 7 characters.',
    );
    const anchored = passwordRules({ regex: '[a-z]+' });
    assert.equal(refusal(anchored, 'abc123'), undefined, 'need not match to the end');
    assert.match(refusal(anchored, '1abc') ?? '', /requirements: it must match the expression \[a-z\]\+\./);
  });

  test('bad configuration stops the start-up', () => {
    assert.throws(() => passwordRules({ regex: '([a-z' }), StartupError);
    assert.throws(() => passwordRules({ minLength: 0 }), StartupError);
    assert.throws(() => passwordRules({ minLength: 8, maxLength: 4 }), StartupError);
  });
});
