/**
 * oslo.policy's model: every API action has a named rule (`identity:create_project`,
 * `os_compute_api:servers:create`) whose check string is evaluated against the caller's
 * credentials and the target of the action. Defaults live in code, next to each service; an
 * operator's policy file overrides any of them by name.
 */

/** What a check string can test about the caller (oslo.policy's `creds`). */
export interface Credentials {
  readonly user_id?: string;
  readonly user_domain_id?: string;
  readonly project_id?: string;
  readonly project_domain_id?: string;
  readonly domain_id?: string;
  readonly roles: readonly string[];
  readonly is_admin?: boolean;
}

/**
 * The object acted on, as nested plain data: `%(target.project.domain_id)s` reads
 * `target.project.domain_id`, and `%(project_id)s` reads the top-level `project_id`.
 */
export type PolicyTarget = { readonly [key: string]: unknown };

/** One rule with its default check string, declared by the service that enforces it. */
export interface RuleDefault {
  readonly name: string;
  readonly checkStr: string;
  readonly description: string;
}

/** One default rule, as each service's policies.ts lists them (oslo.policy's RuleDefault). */
export function rule(name: string, checkStr: string, description: string): RuleDefault {
  return { name, checkStr, description };
}

export interface PolicyEnforcer {
  /** True when `action` is allowed for `credentials` on `target`. An unknown action is a bug: it throws. */
  check(action: string, target: PolicyTarget, credentials: Credentials): boolean;
  /** Like check, but throws Forbidden (403) with oslo's message when not allowed. */
  enforce(action: string, target: PolicyTarget, credentials: Credentials): void;
}
