import type { AccessRuleGrant } from './token-validator.js';

/** A path template as a regular expression: `{name}` and `*` match one segment, `**` anything (keystonemiddleware's _path_matches). */
function templateRegex(template: string): RegExp {
  const tokens = /(\{[^}]*\})|(\*\*)|(\*)|([^{}*]+)/g;
  let source = '';
  for (const [, tag, recursive, wild, literal] of template.matchAll(tokens)) {
    if (tag !== undefined || wild !== undefined) source += '[^/]+';
    else if (recursive !== undefined) source += '.*';
    else if (literal !== undefined) source += literal.replace(/[.+?^$()[\]\\|]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

/**
 * Whether an application credential's access rules let its token make this call to a service
 * known in the catalog by one of `serviceTypes`, at `path` below the service's endpoint.
 * keystonemiddleware's validate_allowed_request: a rule allows one method on one service's paths.
 */
export function allowedByAccessRules(
  rules: readonly AccessRuleGrant[],
  serviceTypes: readonly string[],
  method: string,
  path: string,
): boolean {
  return rules.some((rule) => rule.method === method && serviceTypes.includes(rule.service) && templateRegex(rule.path).test(path));
}
