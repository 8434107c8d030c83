import type { NetworkStore } from '../db/network-store.js';
import { conflict } from '../errors.js';

/** Neutron's quota resources, in the order `quota show` prints them. */
export const QUOTA_RESOURCES = ['network', 'subnet', 'port', 'router', 'floatingip', 'security_group', 'security_group_rule'] as const;
export type QuotaResource = (typeof QUOTA_RESOURCES)[number];
export type QuotaLimits = Readonly<Record<QuotaResource, number>>;

/** The store's rows each resource counts. */
const ROWS = {
  network: 'networks',
  subnet: 'subnets',
  port: 'ports',
  router: 'routers',
  floatingip: 'floatingIps',
  security_group: 'securityGroups',
  security_group_rule: 'securityGroupRules',
} as const satisfies Record<QuotaResource, keyof NetworkStore>;

export function isQuotaResource(name: string): name is QuotaResource {
  return (QUOTA_RESOURCES as readonly string[]).includes(name);
}

/** Per-project limits over the configured defaults, and the check before a create. */
export class QuotaPlugin {
  constructor(
    private readonly store: NetworkStore,
    private readonly defaults: QuotaLimits,
  ) {}

  getDefaults(): QuotaLimits {
    return this.defaults;
  }

  async limits(projectId: string, store: NetworkStore = this.store): Promise<QuotaLimits> {
    return { ...this.defaults, ...pick(await store.quotas.ofProject(projectId)) };
  }

  /** Projects with limits of their own, with all their limits. */
  async listSet(): Promise<{ projectId: string; limits: QuotaLimits }[]> {
    return [...(await this.store.quotas.all())].map(([projectId, own]) => ({ projectId, limits: { ...this.defaults, ...pick(own) } }));
  }

  async usage(projectId: string): Promise<Record<QuotaResource, number>> {
    const used = await Promise.all(QUOTA_RESOURCES.map((resource) => this.#count(this.store, projectId, resource)));
    return Object.fromEntries(QUOTA_RESOURCES.map((resource, index) => [resource, used[index] ?? 0])) as Record<QuotaResource, number>;
  }

  async update(projectId: string, limits: Partial<QuotaLimits>): Promise<QuotaLimits> {
    await this.store.transaction((store) => store.quotas.set(projectId, limits as Record<string, number>));
    return this.limits(projectId);
  }

  async reset(projectId: string): Promise<void> {
    await this.store.quotas.reset(projectId);
  }

  /** 409 OverQuota when the project would go past its limit with `adding` more. */
  async check(store: NetworkStore, projectId: string, resource: QuotaResource, adding = 1): Promise<void> {
    const limit = (await this.limits(projectId, store))[resource];
    if (limit < 0) return;
    if ((await this.#count(store, projectId, resource)) + adding > limit) {
      throw conflict('OverQuota', `Quota exceeded for resources: ['${resource}'].`);
    }
  }

  #count(store: NetworkStore, projectId: string, resource: QuotaResource): Promise<number> {
    return store[ROWS[resource]].count('project_id', projectId);
  }
}

function pick(own: Readonly<Record<string, number>>): Partial<QuotaLimits> {
  return Object.fromEntries(Object.entries(own).filter(([name]) => isQuotaResource(name)));
}
