const TRUE_WORDS = new Set(['1', 't', 'true', 'on', 'y', 'yes']);

/** oslo's bool_from_string, not strict: true for its true words (any case, spaces trimmed), anything else is false. */
export function isTrueWord(value: string): boolean {
  return TRUE_WORDS.has(value.trim().toLowerCase());
}
