/**
 * Nova's quota resources in its engine's order (nova/quota.py QUOTAS), with the defaults of
 * `[quota]`. fixed_ips, floating_ips, security_groups and security_group_rules are the deprecated
 * nova-network resources Nova still prints at 2.1–2.35: unlimited (-1), never enforced.
 */
export const QUOTA_DEFAULTS = {
  instances: 10,
  cores: 20,
  ram: 51200,
  metadata_items: 128,
  injected_files: 5,
  injected_file_content_bytes: 10240,
  injected_file_path_bytes: 255,
  key_pairs: 100,
  server_groups: 10,
  server_group_members: 10,
  fixed_ips: -1,
  floating_ips: -1,
  security_groups: -1,
  security_group_rules: -1,
} as const;

export type QuotaResource = keyof typeof QUOTA_DEFAULTS;

export const QUOTA_RESOURCES = Object.keys(QUOTA_DEFAULTS) as QuotaResource[];

/** The nova-network resources the API stops showing at 2.36 (quota sets) and 2.50 (quota classes). */
export const NETWORK_RESOURCES: readonly QuotaResource[] = ['fixed_ips', 'floating_ips', 'security_group_rules', 'security_groups'];
/** The personality-file resources the API stops showing at 2.57. */
export const INJECTED_FILE_RESOURCES: readonly QuotaResource[] = ['injected_files', 'injected_file_content_bytes', 'injected_file_path_bytes'];

/** One value per resource. */
export type QuotaSet = Record<QuotaResource, number>;

/** The quota class every project falls back to. */
export const DEFAULT_QUOTA_CLASS = 'default';
