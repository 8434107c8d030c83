import type { CheckNode, MatchTemplate } from './check-parser.js';
import type { Credentials, PolicyTarget } from './policy.js';

/** A compiled check: true when the caller may act on the target. */
export type CompiledCheck = (target: PolicyTarget, credentials: Credentials) => boolean;

/** Finds another rule's compiled check by name (`rule:name`); undefined when there is none. */
export type RuleLookup = (name: string) => CompiledCheck | undefined;

/**
 * Turns a parsed check into a closure, once, so that evaluating a rule walks no syntax. A
 * reference to a target key or credential that is absent (or null) makes its check false, as
 * oslo's KeyError does: rules fail closed.
 */
export function compileCheck(node: CheckNode, rules: RuleLookup): CompiledCheck {
  switch (node.type) {
    case 'always':
      return () => true;
    case 'never':
      return () => false;
    case 'and': {
      const checks = node.checks.map((check) => compileCheck(check, rules));
      return (target, credentials) => checks.every((check) => check(target, credentials));
    }
    case 'or': {
      const checks = node.checks.map((check) => compileCheck(check, rules));
      return (target, credentials) => checks.some((check) => check(target, credentials));
    }
    case 'not': {
      const check = compileCheck(node.check, rules);
      return (target, credentials) => !check(target, credentials);
    }
    case 'rule':
      return (target, credentials) => rules(node.name)?.(target, credentials) ?? false;
    case 'role':
      return (target, credentials) => {
        const role = render(node.match, target)?.toLowerCase();
        return role !== undefined && credentials.roles.some((held) => held.toLowerCase() === role);
      };
    case 'credential':
      return (target, credentials) => {
        const expected = render(node.match, target);
        return expected !== undefined && matchesAt(credentials, node.path, expected);
      };
    case 'literal':
      return (target) => render(node.match, target) === node.value;
    case 'field': {
      const { attribute, value } = node;
      return (target) => {
        const actual = Object.hasOwn(target, attribute) ? pythonStr(target[attribute]) : undefined;
        if (actual === undefined) return false;
        return typeof value === 'string' ? actual === value : value.test(actual);
      };
    }
  }
}

/** The match with its `%(key)s` filled from the target; undefined when a key is missing. */
function render(match: MatchTemplate, target: PolicyTarget): string | undefined {
  let text = '';
  for (const part of match) {
    if (typeof part === 'string') {
      text += part;
      continue;
    }
    const value = lookup(target, part.targetKey);
    const rendered = value === undefined ? undefined : pythonStr(value);
    if (rendered === undefined) return undefined;
    text += rendered;
  }
  return text;
}

/** A flat `a.b` key as oslo's flattened targets have it, else the nested path a → b. */
function lookup(target: PolicyTarget, key: string): unknown {
  if (Object.hasOwn(target, key)) return target[key];
  let value: unknown = target;
  for (const segment of key.split('.')) {
    if (!isRecord(value) || !Object.hasOwn(value, segment)) return undefined;
    value = value[segment];
  }
  return value;
}

/**
 * oslo's `_find_in_dict`: follows the path through the credentials; a list on the way matches
 * when any of its elements does.
 */
function matchesAt(value: unknown, path: readonly string[], expected: string): boolean {
  if (Array.isArray(value)) return value.some((element) => matchesAt(element, path, expected));
  const [segment, ...rest] = path;
  if (segment === undefined) return pythonStr(value) === expected;
  return isRecord(value) && Object.hasOwn(value, segment) && matchesAt(value[segment], rest, expected);
}

/** Python's `str()` of a scalar (True, not true); undefined for null and structures, which never match. */
function pythonStr(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  return undefined;
}

function isRecord(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null;
}
