import { call } from '../api/cloud.js';
import type { Session } from '../api/session.js';
import { ErrorBox, Loading, useLoad } from '../components/load.js';
import { UsageBar } from '../components/usage-bar.js';
import { AbsentApiPage } from './absent-api.js';

type Absolute = Readonly<Record<string, number>>;

/** Nova's /limits pairs (used, maximum) shown as bars. */
const COMPUTE_QUOTAS: readonly (readonly [string, string, string, string?])[] = [
  ['Instances', 'totalInstancesUsed', 'maxTotalInstances'],
  ['vCPUs', 'totalCoresUsed', 'maxTotalCores'],
  ['RAM', 'totalRAMUsed', 'maxTotalRAMSize', ' MiB'],
  ['Server groups', 'totalServerGroupsUsed', 'maxServerGroups'],
];

export function OverviewPage({ session }: { session: Session }) {
  const limits = useLoad(async () => (await call<{ limits: { absolute: Absolute } }>(session, 'compute', '/limits')).limits.absolute, [session.token], 10_000);
  return (
    <section>
      <h1>Overview of {session.project.name}</h1>
      <h2>Compute</h2>
      <ErrorBox error={limits.error} />
      {limits.data === undefined ? (
        <Loading what="quota usage" />
      ) : (
        <div class="charts">
          {COMPUTE_QUOTAS.map(([label, used, max, unit]) => (
            <UsageBar key={label} label={label} used={limits.data?.[used] ?? 0} total={limits.data?.[max] ?? -1} unit={unit} />
          ))}
        </div>
      )}
      <AbsentApiPage session={session} title="Volumes and gigabytes" serviceType="volumev3" nested />
      <AbsentApiPage session={session} title="Floating IPs and security groups" serviceType="network" nested />
    </section>
  );
}
