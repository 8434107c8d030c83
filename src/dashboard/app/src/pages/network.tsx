import './resource-pages.css';
import { useState } from 'preact/hooks';
import type { Session } from '../api/session.js';
import { FloatingIpsTab } from './network-floating-ips.js';
import { NetworksTab } from './network-networks.js';
import { RoutersTab } from './network-routers.js';
import { SecurityGroupsTab } from './network-security-groups.js';
import { TopologyTab } from './network-topology.js';
import { ServicePage } from './service-page.js';

const TABS = {
  'Networks and subnets': NetworksTab,
  Routers: RoutersTab,
  'Security groups': SecurityGroupsTab,
  'Floating IPs': FloatingIpsTab,
  Topology: TopologyTab,
} as const;
type Tab = keyof typeof TABS;

/** Neutron's resources of the project, a tab each. */
export function NetworkPage({ session }: { session: Session }) {
  const [tab, setTab] = useState<Tab>('Networks and subnets');
  const Panel = TABS[tab];
  return (
    <ServicePage session={session} title="Networks" serviceType="network">
      <div role="tablist" class="tabs" aria-label="Network resources">
        {(Object.keys(TABS) as Tab[]).map((t) => (
          <button key={t} type="button" role="tab" aria-selected={tab === t} onClick={() => setTab(t)}>
            {t}
          </button>
        ))}
      </div>
      <div role="tabpanel" aria-label={tab}>
        <Panel session={session} />
      </div>
    </ServicePage>
  );
}
