import { readFileSync } from 'node:fs';
import { StartupError } from '../errors/errors.js';

/**
 * Reads an operator's policy file: rule name → check string. JSON (`{"name": "check"}`) or the
 * flat YAML oslo's sample generator writes (`"name": "check"` lines, `#` comments), parsed here
 * without a YAML library. Anything beyond that subset is refused with its line number rather
 * than guessed at.
 */
export function readPolicyFile(path: string): Map<string, string> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new StartupError(`Cannot read policy file ${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
  return text.trimStart().startsWith('{') ? parseJson(path, text) : parseFlatYaml(path, text);
}

function parseJson(path: string, text: string): Map<string, string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new StartupError(`Policy file ${path} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new StartupError(`Policy file ${path} must hold an object of rule names to check strings`);
  }
  const rules = new Map<string, string>();
  for (const [name, value] of Object.entries(parsed)) {
    if (typeof value !== 'string') throw new StartupError(`Policy file ${path}: rule "${name}" must be a check string`);
    rules.set(name, value);
  }
  return rules;
}

/** A plain (unquoted) YAML scalar may not start with these; they mean something else in YAML. */
const YAML_INDICATORS = /^[!@&*|>%`'"[\]{}#,?-]/;

function parseFlatYaml(path: string, text: string): Map<string, string> {
  const rules = new Map<string, string>();
  const lines = text.split(/\r?\n/);
  lines.forEach((line, index) => {
    const fail = (problem: string): never => {
      throw new StartupError(`Policy file ${path} line ${index + 1}: ${problem}`);
    };
    if (/^\s*(#.*)?$/.test(line) || (index === 0 && /^---\s*$/.test(line))) return;
    if (/^\s/.test(line)) fail('indented lines are not supported; write each rule as "name": "check string" on one line');
    const key = readScalar(line, 0, ':', fail);
    if (line[key.end] !== ':') fail('expected "name": "check string"');
    const afterColon = key.end + 1;
    if (line[afterColon] !== undefined && !/\s/.test(line[afterColon] ?? '')) fail('expected a space after the ":"');
    const valueStart = afterColon + (line.slice(afterColon).length - line.slice(afterColon).trimStart().length);
    if (valueStart >= line.length || line[valueStart] === '#') fail(`rule "${key.value}" has no check string (write "" to allow all)`);
    const value = readScalar(line, valueStart, '', fail);
    if (!/^\s*(#.*)?$/.test(line.slice(value.end))) fail('unexpected text after the check string');
    if (rules.has(key.value)) fail(`rule "${key.value}" appears twice`);
    rules.set(key.value, value.value);
  });
  return rules;
}

interface Scalar {
  readonly value: string;
  /** Offset just past the scalar. */
  readonly end: number;
}

/** A quoted or plain scalar starting at `start`; a plain key ends at ': ', a plain value at ' #'. */
function readScalar(line: string, start: number, terminator: ':' | '', fail: (problem: string) => never): Scalar {
  const quote = line[start];
  if (quote === '"') return readDoubleQuoted(line, start, fail);
  if (quote === "'") return readSingleQuoted(line, start, fail);
  const rest = line.slice(start);
  if (YAML_INDICATORS.test(rest)) fail(`"${rest}" must be quoted`);
  const endPattern = terminator === ':' ? /:(\s|$)/ : /\s+#|\s*$/;
  const found = endPattern.exec(rest);
  const length = found?.index ?? rest.length;
  return { value: rest.slice(0, length).trimEnd(), end: start + length };
}

function readSingleQuoted(line: string, start: number, fail: (problem: string) => never): Scalar {
  let value = '';
  for (let index = start + 1; index < line.length; index += 1) {
    if (line[index] !== "'") {
      value += line[index] ?? '';
    } else if (line[index + 1] === "'") {
      value += "'";
      index += 1;
    } else {
      return { value, end: index + 1 };
    }
  }
  return fail('unterminated single-quoted string');
}

const ESCAPES: Readonly<Record<string, string>> = { '"': '"', '\\': '\\', '/': '/', n: '\n', t: '\t', r: '\r' };

function readDoubleQuoted(line: string, start: number, fail: (problem: string) => never): Scalar {
  let value = '';
  for (let index = start + 1; index < line.length; index += 1) {
    const char = line[index] ?? '';
    if (char === '"') return { value, end: index + 1 };
    if (char !== '\\') {
      value += char;
      continue;
    }
    const escape = line[index + 1] ?? '';
    const simple = ESCAPES[escape];
    if (simple !== undefined) {
      value += simple;
      index += 1;
    } else if (escape === 'u' && /^[0-9a-fA-F]{4}$/.test(line.slice(index + 2, index + 6))) {
      value += String.fromCharCode(Number.parseInt(line.slice(index + 2, index + 6), 16));
      index += 5;
    } else {
      fail(`unsupported escape "\\${escape}"`);
    }
  }
  return fail('unterminated double-quoted string');
}
