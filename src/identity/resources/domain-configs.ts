import { Forbidden, NotFound } from '../../common/errors/errors.js';
import type { DomainConfigRow, DomainConfigScope } from '../db/domain-config-store.js';
import { DOMAIN_CONFIG_DEFAULTS, SENSITIVE_DOMAIN_CONFIG_OPTIONS } from './domain-config-options.js';
import type { ResourceDeps } from './store.js';

/** A domain's configuration: group → option → value. */
export type DomainConfig = Record<string, Record<string, unknown>>;

/** Keystone's InvalidDomainConfig: a 403. */
function invalid(reason: string): Forbidden {
  return new Forbidden(`Invalid domain specific configuration: ${reason}.`);
}

function isSensitive(group: string, option: string): boolean {
  return SENSITIVE_DOMAIN_CONFIG_OPTIONS[group]?.includes(option) ?? false;
}

/** Keystone's _assert_valid_group_and_option. */
function checkScope({ group, option }: DomainConfigScope): void {
  if (group === undefined) return;
  const allowed = DOMAIN_CONFIG_DEFAULTS[group];
  if (allowed === undefined) throw invalid(`Group ${group} is not supported for domain specific configurations`);
  if (option !== undefined && !Object.hasOwn(allowed, option) && !isSensitive(group, option)) {
    throw invalid(`Option ${option} in group ${group} is not supported for domain specific configurations`);
  }
}

/** Keystone's _assert_valid_config: groups of options, each known. */
function checkConfig(config: Readonly<Record<string, unknown>>): asserts config is DomainConfig {
  if (Object.keys(config).length === 0) throw invalid('No options specified');
  for (const [group, options] of Object.entries(config)) {
    if (typeof options !== 'object' || options === null || Array.isArray(options) || Object.keys(options).length === 0) {
      throw invalid(`The value of group ${group} specified in the config should be a dictionary of options`);
    }
    for (const option of Object.keys(options)) checkScope({ group, option });
  }
}

/** What a DomainConfigNotFound names. */
function describe({ group, option }: DomainConfigScope): string {
  if (option !== undefined) return `option ${option} in group ${group ?? ''}`;
  return group === undefined ? 'any options' : `group ${group}`;
}

function rowsOf(domainId: string, config: DomainConfig): DomainConfigRow[] {
  return Object.entries(config).flatMap(([group, options]) =>
    Object.entries(options).map(([option, value]) => ({
      domain_id: domainId, group_name: group, option_name: option, value: JSON.stringify(value ?? null), sensitive: isSensitive(group, option),
    })),
  );
}

/** The rows as a config; one option alone as `{option: value}`. */
function configOf(rows: readonly DomainConfigRow[], option?: string): Record<string, unknown> {
  if (option !== undefined) return Object.fromEntries(rows.map((row) => [row.option_name, JSON.parse(row.value) as unknown]));
  const config: DomainConfig = {};
  for (const row of rows) (config[row.group_name] ??= {})[row.option_name] = JSON.parse(row.value) as unknown;
  return config;
}

/**
 * Keystone's domain-specific configuration (identity and ldap groups): stored and shown per
 * domain, sensitive options never shown. Nimbus keeps every domain in SQL; the settings are
 * recorded for clients that manage them, and do not switch a domain to LDAP.
 */
export class DomainConfigManager {
  constructor(private readonly store: ResourceDeps) {}

  /** The defaults of every option (or a group's, or one option's) a domain may set. */
  defaults(scope: DomainConfigScope = {}): Record<string, unknown> {
    checkScope(scope);
    const { group, option } = scope;
    if (group !== undefined && option !== undefined) {
      const defaults = DOMAIN_CONFIG_DEFAULTS[group] ?? {};
      if (!Object.hasOwn(defaults, option)) throw invalid(`Reading the default for option ${option} in group ${group} is not supported`);
      return { [option]: defaults[option] };
    }
    if (group !== undefined) return { [group]: DOMAIN_CONFIG_DEFAULTS[group] };
    return { ...DOMAIN_CONFIG_DEFAULTS };
  }

  async get(domainId: string, scope: DomainConfigScope = {}): Promise<Record<string, unknown>> {
    await this.store.tables.domains.get(domainId);
    checkScope(scope);
    const rows = (await this.store.tables.domainConfigs.list(domainId, scope)).filter((row) => !row.sensitive);
    if (rows.length === 0) throw new NotFound(`Could not find ${describe(scope)} in domain configuration for domain ${domainId}.`);
    return configOf(rows, scope.option);
  }

  /** Replaces the domain's configuration; `created` is false when it had one. */
  async create(domainId: string, config: Readonly<Record<string, unknown>>): Promise<{ config: DomainConfig; created: boolean }> {
    await this.store.tables.domains.get(domainId);
    checkConfig(config);
    const created = (await this.store.tables.domainConfigs.list(domainId)).length === 0;
    await this.store.tables.domainConfigs.write(domainId, rowsOf(domainId, config), { replace: true });
    return { config: configOf((await this.store.tables.domainConfigs.list(domainId)).filter((row) => !row.sensitive)) as DomainConfig, created };
  }

  /**
   * Merges options into the configuration. With a group (and option) in the path, the body must
   * hold that group (option) alone, and it must already be set (Keystone's _assert_valid_update).
   */
  async update(domainId: string, body: Readonly<Record<string, unknown>>, scope: DomainConfigScope = {}): Promise<Record<string, unknown>> {
    await this.store.tables.domains.get(domainId);
    const { group, option } = scope;
    const config = group !== undefined && option !== undefined ? { [group]: body } : body;
    checkConfig(config);
    checkScope(scope);
    if (group !== undefined) {
      const options = config[group];
      if (Object.keys(config).length !== 1 || (option !== undefined && Object.keys(options ?? {}).length !== 1)) {
        throw invalid(
          option === undefined
            ? `Trying to update group ${group}, so that, and only that, group must be specified in the config`
            : `Trying to update option ${option} in group ${group}, so that, and only that, option must be specified  in the config`,
        );
      }
      if (options === undefined) throw invalid(`request to update group ${group}, but config provided contains group ${Object.keys(config)[0] ?? ''} instead`);
      if ((await this.store.tables.domainConfigs.list(domainId, scope)).length === 0) {
        throw new NotFound(`Could not find ${describe(scope)} in domain configuration for domain ${domainId}.`);
      }
    }
    await this.store.tables.domainConfigs.write(domainId, rowsOf(domainId, config), { replace: false });
    return this.get(domainId);
  }

  async delete(domainId: string, scope: DomainConfigScope = {}): Promise<void> {
    await this.store.tables.domains.get(domainId);
    checkScope(scope);
    if (scope.group !== undefined && (await this.store.tables.domainConfigs.list(domainId, scope)).length === 0) {
      throw new NotFound(`Could not find ${describe(scope)} in domain configuration for domain ${domainId}.`);
    }
    await this.store.tables.domainConfigs.delete(domainId, scope);
  }
}
