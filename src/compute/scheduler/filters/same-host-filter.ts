/** SameHostFilter: hint `same_host` — land beside at least one of the given instances. */
import { PASS, reject, type HostFilter } from './filter.js';

export const sameHostFilter: HostFilter = {
  name: 'SameHostFilter',
  runOnRebuild: false,
  runOncePerRequest: true,
  cost: 2,
  hostPasses(host, spec) {
    const wanted = spec.schedulerHints.sameHost;
    if (!wanted || wanted.length === 0) return PASS;
    if (wanted.some((uuid) => host.instances.has(uuid))) return PASS;
    return reject(`${host.host} runs none of the instances of the same_host hint`);
  },
};
