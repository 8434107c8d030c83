import { StartupError } from '../errors/errors.js';

/** One `key = value` line of an INI file, with where it came from for error messages. */
export interface IniEntry {
  readonly section: string;
  readonly key: string;
  readonly value: string;
  readonly line: number;
}

/**
 * Parses oslo.config-style INI: `[section]` headers, `key = value` (or `key: value`) lines,
 * `#`/`;` comments. Keys before any header belong to `DEFAULT`. Values are taken verbatim.
 */
export function parseIni(text: string, source: string): IniEntry[] {
  const entries: IniEntry[] = [];
  let section = 'DEFAULT';
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    const lineNo = index + 1;
    if (line === '' || line.startsWith('#') || line.startsWith(';')) return;
    const header = /^\[([^\]]+)\]$/.exec(line);
    if (header?.[1] !== undefined) {
      section = header[1].trim();
      return;
    }
    const assignment = /^([^=:\s]+)\s*[=:]\s*(.*)$/.exec(line);
    if (assignment?.[1] === undefined || assignment[2] === undefined) {
      throw new StartupError(`${source} line ${lineNo}: cannot parse "${line}" (expected "key = value" or "[section]")`);
    }
    entries.push({ section, key: assignment[1], value: assignment[2].trim(), line: lineNo });
  });
  return entries;
}
