import { call } from '../api/cloud.js';
import type { Session } from '../api/session.js';
import { ErrorBox, Loading, useLoad } from '../components/load.js';
import { UsageBar } from '../components/usage-bar.js';
import { ServicePage } from './service-page.js';

/** One quota's usage as the services report it: (used, limit), a negative limit being unlimited. */
type Usage = Readonly<Record<string, { readonly used: number; readonly limit: number }>>;
/** A bar: its label, the resource's key in the service's usage, and a unit. */
type Bar = readonly [string, string, string?];

/** Every chart refreshes this often. */
const POLL_MS = 10_000;

/** Nova's /limits pairs (used, maximum) shown as bars. */
const COMPUTE_QUOTAS: readonly (readonly [string, string, string, string?])[] = [
  ['Instances', 'totalInstancesUsed', 'maxTotalInstances'],
  ['vCPUs', 'totalCoresUsed', 'maxTotalCores'],
  ['RAM', 'totalRAMUsed', 'maxTotalRAMSize', ' MiB'],
  ['Server groups', 'totalServerGroupsUsed', 'maxServerGroups'],
];
const VOLUME_QUOTAS: readonly Bar[] = [
  ['Volumes', 'volumes'],
  ['Volume storage', 'gigabytes', ' GiB'],
  ['Volume snapshots', 'snapshots'],
];
const NETWORK_QUOTAS: readonly Bar[] = [
  ['Floating IPs', 'floatingip'],
  ['Security groups', 'security_group'],
  ['Networks', 'network'],
  ['Routers', 'router'],
];

async function computeUsage(session: Session): Promise<Usage> {
  const { absolute } = (await call<{ limits: { absolute: Readonly<Record<string, number>> } }>(session, 'compute', '/limits')).limits;
  return Object.fromEntries(COMPUTE_QUOTAS.map(([, used, max]) => [used, { used: absolute[used] ?? 0, limit: absolute[max] ?? -1 }]));
}

/** Cinder's quota set with usage (`in_use`), as `openstack quota show --usage` reads it. */
async function volumeUsage(session: Session): Promise<Usage> {
  type Row = { in_use: number; limit: number };
  const { quota_set } = await call<{ quota_set: Readonly<Record<string, Row | string>> }>(session, 'volumev3', `/os-quota-sets/${session.project.id}?usage=true`);
  return Object.fromEntries(Object.entries(quota_set).flatMap(([key, row]) => (typeof row === 'string' ? [] : [[key, { used: row.in_use, limit: row.limit }]])));
}

/** Neutron's quota details (`used` and `limit` of each resource). */
async function networkUsage(session: Session): Promise<Usage> {
  return (await call<{ quota: Usage }>(session, 'network', `/v2.0/quotas/${session.project.id}/details`)).quota;
}

function QuotaBars({ load, bars, what }: { load: () => Promise<Usage>; bars: readonly Bar[]; what: string }) {
  // The parent keys each chart by its token: a new session mounts a new chart.
  const usage = useLoad(load, [], POLL_MS);
  if (usage.error !== undefined) return <ErrorBox error={usage.error} />;
  if (usage.data === undefined) return <Loading what={what} />;
  return (
    <div class="charts">
      {bars.map(([label, key, unit]) => (
        <UsageBar key={label} label={label} used={usage.data?.[key]?.used ?? 0} total={usage.data?.[key]?.limit ?? -1} unit={unit} />
      ))}
    </div>
  );
}

export function OverviewPage({ session }: { session: Session }) {
  return (
    <section>
      <h1>Overview of {session.project.name}</h1>
      <h2>Compute</h2>
      <QuotaBars
        load={() => computeUsage(session)}
        bars={COMPUTE_QUOTAS.map(([label, used, , unit]) => [label, used, unit] as const)}
        what="compute quota usage"
        key={`compute-${session.token}`}
      />
      <ServicePage session={session} title="Volumes and gigabytes" serviceType="volumev3" nested>
        <QuotaBars load={() => volumeUsage(session)} bars={VOLUME_QUOTAS} what="volume quota usage" key={`volume-${session.token}`} />
      </ServicePage>
      <ServicePage session={session} title="Floating IPs and security groups" serviceType="network" nested>
        <QuotaBars load={() => networkUsage(session)} bars={NETWORK_QUOTAS} what="network quota usage" key={`network-${session.token}`} />
      </ServicePage>
    </section>
  );
}
