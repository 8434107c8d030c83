/**
 * The zone follows the host. Nova's conductor sets instance.availability_zone to the zone of the
 * host it picked for a build, a cold migration or resize, a live migration, an evacuation and an
 * unshelve, and its API to the source host's zone on a resize revert. Here the agents move the
 * instance's host at the end of those moves (and back on a revert), through instance_update: the
 * zone is filled in there, from the aggregates the agents do not read.
 */
import type { AggregateStore } from '../db/aggregate-store.js';
import type { InstanceUpdateArgs } from './rpc-api.js';

export async function withHostZone(aggregates: Pick<AggregateStore, 'zoneOfHost'>, args: InstanceUpdateArgs): Promise<InstanceUpdateArgs> {
  const { host, availabilityZone } = args.changes;
  if (typeof host !== 'string' || availabilityZone !== undefined) return args;
  return { ...args, changes: { ...args.changes, availabilityZone: await aggregates.zoneOfHost(host) } };
}
