/**
 * The network topology picture's model and layout, without the DOM: networks are vertical bars,
 * each router and server a box in a row of its own, just right of the first network it is on, with
 * a line to every network it has a port on (Horizon's topology view draws it so). Pure, so the
 * root build unit-tests it.
 */

export interface TopologyNetwork {
  readonly id: string;
  readonly name: string;
  readonly external: boolean;
  readonly cidrs: readonly string[];
}

/** A device's port on a network, with its addresses there. */
export interface TopologyLink {
  readonly networkId: string;
  readonly addresses: readonly string[];
}

export interface TopologyDevice {
  readonly kind: 'router' | 'server';
  readonly id: string;
  readonly name: string;
  readonly status: string;
  readonly links: readonly TopologyLink[];
}

/** What the API calls answer, reduced to the fields the picture needs. */
export interface TopologySource {
  readonly routers: readonly {
    readonly id: string;
    readonly name: string;
    readonly status: string;
    readonly external_gateway_info: { readonly network_id: string; readonly external_fixed_ips?: readonly { readonly ip_address: string }[] } | null;
  }[];
  readonly ports: readonly { readonly device_id: string; readonly device_owner: string; readonly network_id: string; readonly fixed_ips: readonly { readonly ip_address: string }[] }[];
  readonly servers: readonly { readonly id: string; readonly name: string; readonly status: string }[];
}

const ROUTER_INTERFACE_OWNERS = new Set(['network:router_interface', 'network:router_interface_distributed', 'network:ha_router_replicated_interface']);

/** The links of one device from its ports, one per network (a second port on a network adds its addresses). */
function linksOf(ports: TopologySource['ports']): TopologyLink[] {
  const byNetwork = new Map<string, string[]>();
  for (const port of ports) byNetwork.set(port.network_id, [...(byNetwork.get(port.network_id) ?? []), ...port.fixed_ips.map((ip) => ip.ip_address)]);
  return [...byNetwork].map(([networkId, addresses]) => ({ networkId, addresses }));
}

const byName = (a: { readonly name: string; readonly id: string }, b: { readonly name: string; readonly id: string }) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id);

/**
 * Routers (their interface ports, and the gateway from `external_gateway_info`, whose port
 * belongs to no project) and servers (their `compute:*` ports); a server without ports is left
 * out, as it is on no network. Servers not in `servers` (another page of them) go by their id.
 */
export function topologyDevices(source: TopologySource): TopologyDevice[] {
  const routers = source.routers.map((router): TopologyDevice => {
    const interfaces = linksOf(source.ports.filter((p) => p.device_id === router.id && ROUTER_INTERFACE_OWNERS.has(p.device_owner)));
    const gateway = router.external_gateway_info;
    const gatewayLink = gateway === null ? [] : [{ networkId: gateway.network_id, addresses: (gateway.external_fixed_ips ?? []).map((ip) => ip.ip_address) }];
    return { kind: 'router', id: router.id, name: router.name || router.id, status: router.status, links: [...gatewayLink, ...interfaces] };
  });
  const serverPorts = new Map<string, TopologySource['ports'][number][]>();
  for (const port of source.ports) {
    if (port.device_owner.startsWith('compute:')) serverPorts.set(port.device_id, [...(serverPorts.get(port.device_id) ?? []), port]);
  }
  const servers = [...serverPorts].map(([id, ports]): TopologyDevice => {
    const server = source.servers.find((s) => s.id === id);
    return { kind: 'server', id, name: server?.name ?? id, status: server?.status ?? '', links: linksOf(ports) };
  });
  return [...routers.sort(byName), ...servers.sort(byName)];
}

/** Sizes of the picture, in SVG units; `offset` is from a device's first network to its box (room for an address). */
export const TOPOLOGY_SIZES = { column: 250, row: 54, top: 64, left: 24, offset: 90, box: { width: 130, height: 36 }, bottom: 24 } as const;

export interface PlacedNetwork extends TopologyNetwork {
  /** The bar's x. */
  readonly x: number;
}

export interface PlacedLink extends TopologyLink {
  readonly networkName: string;
  /** The x of the network's bar, where the link's dot sits. */
  readonly x: number;
}

export interface PlacedDevice extends TopologyDevice {
  /** The box's top-left corner. */
  readonly x: number;
  readonly y: number;
  readonly links: readonly PlacedLink[];
}

export interface TopologyLayout {
  readonly width: number;
  readonly height: number;
  readonly networks: readonly PlacedNetwork[];
  readonly devices: readonly PlacedDevice[];
}

/**
 * Places the networks (external ones first, then by name) as bars from left to right and each
 * device in its own row, its box just right of the leftmost network it is on. Links to networks
 * not in `networks` (not visible to the project) are dropped; a device left with none is at the
 * left edge.
 */
export function layoutTopology(networks: readonly TopologyNetwork[], devices: readonly TopologyDevice[]): TopologyLayout {
  const { column, row, top, left, offset, box, bottom } = TOPOLOGY_SIZES;
  const ordered = [...networks].sort((a, b) => Number(b.external) - Number(a.external) || byName(a, b));
  const placedNetworks = ordered.map((network, index): PlacedNetwork => ({ ...network, x: left + index * column }));
  const placed = new Map(placedNetworks.map((n) => [n.id, n]));
  const placedDevices = devices.map((device, index): PlacedDevice => {
    const links = device.links.flatMap((link) => {
      const network = placed.get(link.networkId);
      return network === undefined ? [] : [{ ...link, networkName: network.name, x: network.x }];
    });
    const first = Math.min(...links.map((l) => l.x));
    return { ...device, links, x: Number.isFinite(first) ? first + offset : left, y: top + index * row };
  });
  const width = Math.max(left + Math.max(placedNetworks.length - 1, 0) * column + offset + box.width, ...placedDevices.map((d) => d.x + box.width)) + left;
  return { width, height: top + Math.max(devices.length, 1) * row + bottom, networks: placedNetworks, devices: placedDevices };
}
