/**
 * Nova's name formats (nova/api/validation/parameter_types.py): `name`, `az_name` and their
 * `…_with_leading_trailing_spaces` variants. Printable means what Nova's `_is_printable` says:
 * no Unicode "other" (controls, format, surrogates, unassigned) and no separator but the space
 * kind (Zs). Checked character by character, so a hostile string costs linear time.
 */

const NEVER_PRINTABLE = /[\p{C}\p{Zl}\p{Zp}]/u;
const BLANK = /[\p{C}\p{Z}]/u;

function printable(value: string, exclude: string): boolean {
  return !NEVER_PRINTABLE.test(value) && [...exclude].every((char) => !value.includes(char));
}

/** Printable, and neither first nor last character blank. */
function trimmedPrintable(exclude: string): (value: string) => boolean {
  return (value) => {
    const chars = [...value];
    return printable(value, exclude) && (chars.length === 0 || (!BLANK.test(chars[0] ?? '') && !BLANK.test(chars.at(-1) ?? '')));
  };
}

/** Printable, with at least one character that is not blank. */
function printableWithContent(exclude: string): (value: string) => boolean {
  return (value) => printable(value, exclude) && [...value].some((char) => !BLANK.test(char));
}

export interface NameFormat {
  readonly check: (value: string) => boolean;
  /** Nova's InvalidName reason, as its 400 words it. */
  readonly reason: string;
}

const NAME: NameFormat = { check: trimmedPrintable(''), reason: 'printable characters. Can not start or end with whitespace.' };

/** parameter_types.name's check, for values validated outside a schema. */
export const isValidName = NAME.check;

export const NAME_FORMATS: Readonly<Record<string, NameFormat>> = {
  name: NAME,
  az_name: { check: trimmedPrintable(':'), reason: 'printable characters except :.Can not start or end with whitespace.' },
  name_with_leading_trailing_spaces: { check: printableWithContent(''), reason: 'printable characters with at least one non space character' },
  az_name_with_leading_trailing_spaces: { check: printableWithContent(':'), reason: 'printable characters except :, with at least one non space character' },
};

/** Nova's InvalidName message for a value that fails one of these formats. */
export function invalidNameMessage(format: NameFormat): string {
  return `An invalid 'name' value was provided. The name must be: ${format.reason}`;
}
