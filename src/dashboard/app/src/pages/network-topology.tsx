import { listServers } from '../api/cloud.js';
import { listExternalNetworks, listNetworks, listPorts, listRouters, listSubnets } from '../api/network.js';
import type { Session } from '../api/session.js';
import { ErrorBox, Loading, useLoad } from '../components/load.js';
import { layoutTopology, topologyDevices, TOPOLOGY_SIZES, type PlacedDevice, type TopologyLayout, type TopologyNetwork } from '../logic/topology.js';

/** Servers named in the picture (more go by their id). */
const SERVER_NAMES = 1000;

async function loadTopology(session: Session): Promise<TopologyLayout> {
  const [networks, subnets, external, routers, ports, servers] = await Promise.all([
    listNetworks(session),
    listSubnets(session),
    listExternalNetworks(session),
    listRouters(session),
    listPorts(session, ''),
    // The picture still draws the network side when Nova is unreachable.
    listServers(session, SERVER_NAMES).then(
      (page) => page.servers,
      () => [],
    ),
  ]);
  const externalIds = new Set(external.map((n) => n.id));
  const topologyNetworks = networks.map(
    (n): TopologyNetwork => ({
      id: n.id,
      name: n.name || n.id,
      external: externalIds.has(n.id),
      cidrs: subnets.filter((s) => s.network_id === n.id).map((s) => s.cidr),
    }),
  );
  return layoutTopology(topologyNetworks, topologyDevices({ routers, ports, servers }));
}

const describeDevice = (d: PlacedDevice) =>
  `${d.kind} ${d.name}: ${d.links.length === 0 ? 'on no network' : d.links.map((l) => `${l.networkName} ${l.addresses.join(' ')}`.trim()).join(', ')}`;

/**
 * The project's networks, routers and servers as a picture drawn from Neutron's networks, subnets,
 * routers and ports and Nova's servers, with the same facts as a list for screen readers.
 */
export function TopologyTab({ session }: { session: Session }) {
  const loaded = useLoad(() => loadTopology(session), [session.token], 5000);
  if (loaded.data === undefined) return loaded.error === undefined ? <Loading what="the topology" /> : <ErrorBox error={loaded.error} />;
  const layout = loaded.data;
  return (
    <>
      <ErrorBox error={loaded.error} />
      <div class="topology">
        <svg width={layout.width} height={layout.height} viewBox={`0 0 ${layout.width} ${layout.height}`} role="img" aria-label="Network topology">
          {layout.networks.map((n) => (
            <NetworkBar key={n.id} network={n} height={layout.height} />
          ))}
          {layout.devices.map((d) => (
            <DeviceBox key={d.id} device={d} />
          ))}
        </svg>
      </div>
      {layout.devices.length === 0 && <p class="muted">No routers or instances on these networks.</p>}
      <h2>Connections</h2>
      <ul class="plain" aria-label="Connections">
        {layout.devices.map((d) => (
          <li key={d.id} data-device={`${d.kind} ${d.name}`}>
            {describeDevice(d)}
          </li>
        ))}
      </ul>
    </>
  );
}

function NetworkBar({ network, height }: { network: TopologyNetwork & { x: number }; height: number }) {
  const { top, bottom } = TOPOLOGY_SIZES;
  return (
    <g class={`net${network.external ? ' external' : ''}`} data-network={network.name}>
      <text x={network.x} y={16} class="net-name">
        {network.name}
      </text>
      <text x={network.x} y={32} class="net-cidr">
        {network.external ? 'external ' : ''}
        {network.cidrs.join(' ')}
      </text>
      <rect x={network.x - 4} y={top - 20} width={8} height={height - top + 20 - bottom / 2} rx={4} />
    </g>
  );
}

function DeviceBox({ device }: { device: PlacedDevice }) {
  const { box } = TOPOLOGY_SIZES;
  const middle = device.y + box.height / 2;
  const body = (
    <>
      <rect x={device.x} y={device.y} width={box.width} height={box.height} rx={6} />
      <text x={device.x + 8} y={device.y + 15} class="device-kind">
        {device.kind === 'router' ? 'Router' : 'Instance'} {device.status}
      </text>
      <text x={device.x + 8} y={device.y + 30} class="device-name">
        {device.name.length > 18 ? `${device.name.slice(0, 17)}…` : device.name}
      </text>
    </>
  );
  return (
    <g class={`device ${device.kind}`} data-device={`${device.kind} ${device.name}`}>
      {device.links.map((link) => {
        // From the box's nearer edge to the network's bar.
        const from = link.x < device.x ? device.x : device.x + box.width;
        return (
          <g key={link.networkId} data-link={link.networkName}>
            <line x1={from} y1={middle} x2={link.x} y2={middle} />
            <circle cx={link.x} cy={middle} r={5} />
            {/* Over the line, beside the dot on the box's side. */}
            <text x={link.x < device.x ? link.x + 9 : link.x - 9} y={middle - 6} text-anchor={link.x < device.x ? 'start' : 'end'} class="address">
              {link.addresses.join(' ')}
            </text>
          </g>
        );
      })}
      {device.kind === 'server' ? <a href={`#/instances/${device.id}`}>{body}</a> : body}
    </g>
  );
}
