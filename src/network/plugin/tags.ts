import type { NetworkStore } from '../db/network-store.js';
import { NeutronFault } from '../errors.js';

/** The collections whose resources take tags (Neutron's standard-attr-tag), with the rows each lives in. */
export const TAGGABLE = {
  networks: 'networks',
  subnets: 'subnets',
  subnetpools: 'subnetPools',
  ports: 'ports',
  security_groups: 'securityGroups',
  routers: 'routers',
  floatingips: 'floatingIps',
} as const satisfies Record<string, keyof NetworkStore>;
export type TaggableCollection = keyof typeof TAGGABLE;

/** Tags of any taggable resource; each change bumps the resource's revision as Neutron does. */
export class TagPlugin {
  constructor(private readonly store: NetworkStore) {}

  async list(collection: TaggableCollection, id: string): Promise<string[]> {
    return (await this.store.tags.of(collection, [id])).get(id) ?? [];
  }

  async replace(collection: TaggableCollection, id: string, tags: readonly string[]): Promise<string[]> {
    await this.store.transaction(async (store) => {
      await store.tags.replace(collection, id, tags);
      await store[TAGGABLE[collection]].update(id, {});
    });
    return this.list(collection, id);
  }

  async add(collection: TaggableCollection, id: string, tag: string): Promise<void> {
    await this.store.transaction(async (store) => {
      await store.tags.add(collection, id, tag);
      await store[TAGGABLE[collection]].update(id, {});
    });
  }

  /** 404 TagNotFound when the resource has no such tag. */
  async remove(collection: TaggableCollection, id: string, tag: string): Promise<void> {
    await this.store.transaction(async (store) => {
      if (!(await store.tags.remove(collection, id, tag))) throw new NeutronFault(404, 'TagNotFound', `Tag ${tag} could not be found.`);
      await store[TAGGABLE[collection]].update(id, {});
    });
  }

  async removeAll(collection: TaggableCollection, id: string): Promise<void> {
    await this.store.transaction(async (store) => {
      await store.tags.removeAll(collection, id);
      await store[TAGGABLE[collection]].update(id, {});
    });
  }

  /** True when the tag is on the resource. */
  async has(collection: TaggableCollection, id: string, tag: string): Promise<boolean> {
    return (await this.list(collection, id)).includes(tag);
  }
}
