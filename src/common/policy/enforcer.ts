import { Forbidden, StartupError } from '../errors/errors.js';
import { getLogger } from '../logging/logger.js';
import { compileCheck, type CompiledCheck } from './check-evaluator.js';
import { CheckParseError, parseCheckString, type CheckNode } from './check-parser.js';
import { readPolicyFile } from './policy-file.js';
import type { Credentials, PolicyEnforcer, PolicyTarget, RuleDefault } from './policy.js';

const log = getLogger('nimbus.common.policy');

export interface PolicyEnforcerOptions {
  /** Every rule the services enforce, with its default check string. */
  readonly defaults: readonly RuleDefault[];
  /** An operator's policy file (JSON or flat YAML) overriding defaults by name. */
  readonly overridesFile?: string;
}

/** Nova's 403 message; Keystone words it differently, so the action travels with the error. */
export class PolicyNotAuthorized extends Forbidden {
  readonly action: string;

  constructor(action: string) {
    super(`Policy doesn't allow ${action} to be performed.`);
    this.action = action;
  }
}

/**
 * Builds the one enforcer every service shares: the defaults, overridden by the file, each
 * parsed and compiled once. Problems an operator can cause (a rule name no service defines, a
 * check string that does not parse, rules that refer to each other in a circle) stop the start
 * with a StartupError that names them; reading the file is synchronous, as it happens once.
 */
export function createPolicyEnforcer(options: PolicyEnforcerOptions): PolicyEnforcer {
  const sources = new Map<string, { readonly checkStr: string; readonly origin: string }>();
  for (const rule of options.defaults) {
    if (sources.has(rule.name)) throw new Error(`Policy rule ${rule.name} has two defaults`);
    sources.set(rule.name, { checkStr: rule.checkStr, origin: 'default' });
  }
  if (options.overridesFile !== undefined) {
    const overrides = readPolicyFile(options.overridesFile);
    const unknown = [...overrides.keys()].filter((name) => !sources.has(name));
    if (unknown.length > 0) {
      throw new StartupError(`Policy file ${options.overridesFile} names unknown rules: ${unknown.join(', ')}`);
    }
    for (const [name, checkStr] of overrides) sources.set(name, { checkStr, origin: options.overridesFile });
    log.info(`Loaded ${overrides.size} policy overrides from ${options.overridesFile}`);
  }

  const parsed = new Map<string, CheckNode>();
  for (const [name, { checkStr, origin }] of sources) {
    try {
      parsed.set(name, parseCheckString(checkStr));
    } catch (error) {
      if (!(error instanceof CheckParseError)) throw error;
      const where = origin === 'default' ? 'default' : `in ${origin}`;
      throw new StartupError(`Policy rule "${name}" (${where}): ${error.message} in "${checkStr}"`);
    }
  }
  checkReferences(parsed);

  const compiled = new Map<string, CompiledCheck>();
  for (const [name, node] of parsed) compiled.set(name, compileCheck(node, (ruleName) => compiled.get(ruleName)));

  const ruleFor = (action: string): CompiledCheck => {
    const check = compiled.get(action);
    if (check === undefined) throw new Error(`Policy rule ${action} is not defined`);
    return check;
  };
  return {
    check: (action, target, credentials) => ruleFor(action)(target, credentials),
    enforce: (action: string, target: PolicyTarget, credentials: Credentials) => {
      if (!ruleFor(action)(target, credentials)) throw new PolicyNotAuthorized(action);
    },
  };
}

/**
 * Rules that refer to each other in a circle would recurse forever: refused. A reference to a
 * rule nobody defines denies (oslo fails closed); it is logged, as it is almost always a typo.
 */
function checkReferences(rules: ReadonlyMap<string, CheckNode>): void {
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string, trail: readonly string[]): void => {
    const node = rules.get(name);
    if (node === undefined || state.get(name) === 'done') return;
    if (state.get(name) === 'visiting') {
      throw new StartupError(`Policy rules refer to each other in a circle: ${[...trail, name].join(' -> ')}`);
    }
    state.set(name, 'visiting');
    for (const reference of referencesOf(node)) {
      if (!rules.has(reference)) log.warning(`Policy rule "${name}" refers to undefined rule "${reference}", which denies`);
      visit(reference, [...trail, name]);
    }
    state.set(name, 'done');
  };
  for (const name of rules.keys()) visit(name, []);
}

function referencesOf(node: CheckNode): string[] {
  switch (node.type) {
    case 'rule':
      return [node.name];
    case 'and':
    case 'or':
      return node.checks.flatMap(referencesOf);
    case 'not':
      return referencesOf(node.check);
    default:
      return [];
  }
}
