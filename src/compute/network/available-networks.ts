/** Nova's _get_available_networks: the project's own networks that are not shared, then the shared ones. */
import type { NeutronNetwork, NeutronSession } from './neutron-api.js';

export async function availableNetworks(session: NeutronSession, projectId: string): Promise<NeutronNetwork[]> {
  const [own, shared] = await Promise.all([session.listNetworks({ project_id: projectId, shared: false }), session.listNetworks({ shared: true })]);
  return [...own, ...shared];
}
