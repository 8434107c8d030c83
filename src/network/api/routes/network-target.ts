import type { FastifyRequest } from 'fastify';
import type { PolicyTarget } from '../../../common/policy/policy.js';
import { notFound } from '../../errors.js';
import type { CorePlugin } from '../../plugin/network-plugin.js';
import { check } from './policy-checks.js';
import { ownedTarget, targetLookups, type TargetLookups } from './resource-routes.js';
import type { NetworkRouteDeps } from './route-deps.js';

/**
 * The target of a subnet or port: the resource with its owner, and what Neutron's rules read of
 * its network (`network:tenant_id` for rule:network_owner, `shared` for rule:shared).
 */
export async function onNetworkTarget(plugin: CorePlugin, view: Readonly<Record<string, unknown>>, owner: unknown, lookups: TargetLookups = targetLookups()): Promise<PolicyTarget> {
  const networkId = String(view['network_id']);
  const network = await lookups(`network:${networkId}`, () => plugin.networks.row(networkId).catch(() => undefined));
  const networkOwner = network?.project_id;
  const shared = network?.shared ?? false;
  // The two keys go in before the spread and are set again after it (a view's own `shared` still
  // loses): new keys after a spread put V8 on a slow path, several µs a port, most of a ms for the
  // ports of a page of 100 servers (issue 16).
  const target: Record<string, unknown> = { 'network:tenant_id': networkOwner, shared, ...ownedTarget(view, owner) };
  target['network:tenant_id'] = networkOwner;
  target['shared'] = shared;
  return target;
}

/** The target of a subnet or port to be made on a network: 404 NetworkNotFound when the caller cannot see the network. */
export async function createOnNetworkTarget(deps: NetworkRouteDeps, request: FastifyRequest, body: Readonly<Record<string, unknown>>, owner: string): Promise<PolicyTarget> {
  const networkId = String(body['network_id']);
  const network = await deps.plugin.networks.get(networkId);
  if (!check(deps, request, 'get_network', ownedTarget(network, network['project_id']))) throw notFound('Network', networkId);
  return onNetworkTarget(deps.plugin, body, owner);
}
