import { BadRequest, StartupError } from '../../common/errors/errors.js';

/** What a new password must satisfy: Keystone's `[security_compliance] password_regex` and friends. */
export interface PasswordRulesOptions {
  /** Fewest characters (code points); default 1, as Keystone refuses only the empty password. */
  readonly minLength?: number;
  /** Most characters; Keystone's `[identity] max_password_length`, default 4096. */
  readonly maxLength?: number;
  /** Matched from the start of the password, as Python's `re.match`. */
  readonly regex?: string;
  /** Tells users what `regex` requires; it is the whole of the error message's detail. */
  readonly regexDescription?: string;
}

export type PasswordCheck = (plain: string) => void;

/**
 * Compiles the rules once (a bad regex stops the start-up) and returns a check that throws a
 * 400 with Keystone's message when a new password falls short.
 */
export function passwordRules(options: PasswordRulesOptions = {}): PasswordCheck {
  const minLength = options.minLength ?? 1;
  const maxLength = options.maxLength ?? 4096;
  if (!Number.isInteger(minLength) || minLength < 1 || !Number.isInteger(maxLength) || maxLength < minLength) {
    throw new StartupError(`Invalid password length limits: minimum ${minLength}, maximum ${maxLength}`);
  }
  const pattern = options.regex === undefined || options.regex === '' ? undefined : compile(options.regex);
  const description = options.regexDescription ?? `it must match the expression ${options.regex ?? ''}`;

  return (plain) => {
    const length = [...plain].length;
    if (length < minLength) {
      throw new BadRequest(`The password does not match the requirements: at least ${minLength} characters.`);
    }
    if (length > maxLength) {
      throw new BadRequest(`Password validation error: the password is longer than ${maxLength} characters.`);
    }
    if (pattern !== undefined) {
      pattern.lastIndex = 0;
      if (!pattern.test(plain)) throw new BadRequest(`The password does not match the requirements: ${description}.`);
    }
  };
}

function compile(regex: string): RegExp {
  try {
    // Sticky: anchored at the start like re.match, free to stop before the end unless it says `$`.
    return new RegExp(regex, 'y');
  } catch (error) {
    throw new StartupError(`Invalid password_regex ${JSON.stringify(regex)}: ${error instanceof Error ? error.message : String(error)}`);
  }
}
