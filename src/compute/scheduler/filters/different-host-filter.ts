/** DifferentHostFilter: hint `different_host` — stay away from every given instance. */
import { PASS, reject, type HostFilter } from './filter.js';

export const differentHostFilter: HostFilter = {
  name: 'DifferentHostFilter',
  runOnRebuild: false,
  runOncePerRequest: true,
  cost: 2,
  hostPasses(host, spec) {
    const avoided = spec.schedulerHints.differentHost;
    const clash = avoided?.find((uuid) => host.instances.has(uuid));
    if (clash === undefined) return PASS;
    return reject(`${host.host} runs instance ${clash} of the different_host hint`);
  },
};
