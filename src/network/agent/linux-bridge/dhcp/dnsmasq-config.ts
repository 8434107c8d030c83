/**
 * What dnsmasq is given for a network, as Neutron's DHCP agent writes it: one `--dhcp-range` per
 * DHCP subnet in static mode (only ports with a host entry get an address), a hosts file with a
 * `mac,hostname,address` line per port (re-read on SIGHUP, so ports come and go without a
 * restart), and an options file with each subnet's router, DNS servers and host routes, tagged
 * by subnet. Pure functions of the specs, so they are tested without a kernel.
 */
import type { NetworkSpec, PortSpec, SubnetSpec } from '../../datapath-spec.js';
import { METADATA_CIDR } from '../metadata/metadata-proxy.js';
import { ipv4Netmask, parseCidr } from '../../cidr.js';

export const DHCP_DOMAIN = 'openstacklocal';
const LEASE_SECONDS = 86400;

export interface DnsmasqFiles {
  readonly dir: string;
  readonly hosts: string;
  readonly options: string;
  readonly leases: string;
  readonly pid: string;
  readonly log: string;
}

export function dnsmasqFiles(dir: string): DnsmasqFiles {
  return { dir, hosts: `${dir}/host`, options: `${dir}/opts`, leases: `${dir}/leases`, pid: `${dir}/pid`, log: `${dir}/log` };
}

const tag = (subnet: SubnetSpec): string => `subnet-${subnet.id}`;
export const dhcpSubnets = (network: NetworkSpec): SubnetSpec[] => network.subnets.filter((subnet) => subnet.enable_dhcp);

export function dnsmasqArgs(network: NetworkSpec, device: string, files: DnsmasqFiles): string[] {
  const ranges = dhcpSubnets(network).map((subnet) => {
    const { address, family, prefixLength } = parseCidr(subnet.cidr);
    const mask = family === 4 ? ipv4Netmask(prefixLength) : String(prefixLength);
    return `--dhcp-range=set:${tag(subnet)},${address},static,${mask},${LEASE_SECONDS}s`;
  });
  return [
    '--conf-file=/dev/null',
    // dnsmasq re-reads its hosts file on every SIGHUP; as `nobody` it cannot reach it under a state
    // dir of mode 0700 (`nimbus up` makes it so), and new ports would get no address.
    '--user=root',
    '--no-hosts',
    '--no-resolv',
    // DHCP only: guests get the subnets' DNS servers.
    '--port=0',
    `--interface=${device}`,
    '--except-interface=lo',
    '--bind-interfaces',
    `--pid-file=${files.pid}`,
    `--dhcp-hostsfile=${files.hosts}`,
    `--dhcp-optsfile=${files.options}`,
    `--dhcp-leasefile=${files.leases}`,
    `--dhcp-option-force=option:mtu,${network.mtu}`,
    `--domain=${DHCP_DOMAIN}`,
    '--log-dhcp',
    `--log-facility=${files.log}`,
    ...ranges,
  ];
}

function hostname(port: PortSpec, address: string): string {
  return port.dns_name != null && port.dns_name !== '' ? port.dns_name : `host-${address.replaceAll(/[.:]/g, '-')}`;
}

/** One line per fixed IP on a DHCP subnet, as Neutron's `_output_hosts_file`. */
export function hostsFile(network: NetworkSpec, ports: Iterable<PortSpec>): string {
  const served = new Set(dhcpSubnets(network).map((subnet) => subnet.id));
  const lines: string[] = [];
  for (const port of ports) {
    for (const ip of port.fixed_ips) {
      if (!served.has(ip.subnet_id)) continue;
      const address = ip.ip_address.includes(':') ? `[${ip.ip_address}]` : ip.ip_address;
      lines.push(`${port.mac_address},${hostname(port, ip.ip_address)}.${DHCP_DOMAIN},${address}`);
    }
  }
  return lines.sort().join('\n') + '\n';
}

/**
 * Per subnet: its router (the gateway), DNS servers and host routes (RFC 3442 and Microsoft's 249).
 * The guests of `metadataSubnets` (see dhcpMetadataSubnets) also get a route to 169.254.169.254
 * through the DHCP port's address on their subnet, where the DHCP namespace's proxy answers; the
 * others reach it by their default route, through their router's namespace.
 */
export function optionsFile(network: NetworkSpec, metadataSubnets: readonly SubnetSpec[] = []): string {
  const metadata = new Set(metadataSubnets.map((subnet) => subnet.id));
  const lines: string[] = [];
  for (const subnet of dhcpSubnets(network)) {
    const prefix = `tag:${tag(subnet)}`;
    if (parseCidr(subnet.cidr).family === 6) {
      if (subnet.dns_nameservers.length > 0) lines.push(`${prefix},option6:dns-server,${subnet.dns_nameservers.map((a) => `[${a}]`).join(',')}`);
      continue;
    }
    if (subnet.dns_nameservers.length > 0) lines.push(`${prefix},option:dns-server,${subnet.dns_nameservers.join(',')}`);
    const routes = subnet.host_routes.filter((route) => parseCidr(route.destination).family === 4).map((route) => `${route.destination},${route.nexthop}`);
    const dhcpAddress = network.dhcp_port?.fixed_ips.find((ip) => ip.subnet_id === subnet.id)?.ip_address;
    if (metadata.has(subnet.id) && dhcpAddress !== undefined) routes.push(`${METADATA_CIDR},${dhcpAddress}`);
    // A client given classless routes ignores the router option, so the default route joins them.
    if (routes.length > 0 && subnet.gateway_ip !== null) routes.push(`0.0.0.0/0,${subnet.gateway_ip}`);
    if (routes.length > 0) {
      lines.push(`${prefix},option:classless-static-route,${routes.join(',')}`);
      lines.push(`${prefix},249,${routes.join(',')}`);
    }
    lines.push(subnet.gateway_ip === null ? `${prefix},option:router` : `${prefix},option:router,${subnet.gateway_ip}`);
  }
  return lines.join('\n') + '\n';
}
