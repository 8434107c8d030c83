/**
 * Every value of a spec that ends up in a command line, a dnsmasq file or an nftables rule is
 * checked here first, so nothing built from a spec can carry anything but an id, a MAC, an
 * address, a CIDR or a number.
 */
import { isIP } from 'node:net';
import type { NetworkSpec, PortSpec, RemotePortSpec, RouterSpec, SecurityGroupSpec, TunnelAddressChange } from './datapath-spec.js';
import { checkId } from './device-names.js';
import { InvalidDatapathSpec } from './errors.js';

const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;
const HOSTNAME = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i;
const PROTOCOLS = new Set(['tcp', 'udp', 'icmp', 'ipv6-icmp', 'icmpv6', 'sctp']);

function fail(message: string): never {
  throw new InvalidDatapathSpec(message);
}

export function checkMac(mac: string): string {
  return MAC.test(mac) ? mac : fail(`${JSON.stringify(mac)} is not a lower-case MAC address`);
}

export function checkAddress(address: string): string {
  return isIP(address) !== 0 ? address : fail(`${JSON.stringify(address)} is not an IP address`);
}

/** An address or `address/prefix` with a prefix the family allows. */
export function checkCidr(cidr: string): string {
  const [address = '', prefix, extra] = cidr.split('/');
  const family = isIP(address);
  if (family === 0 || extra !== undefined) fail(`${JSON.stringify(cidr)} is not a CIDR`);
  if (prefix !== undefined) {
    const bits = Number(prefix);
    if (!/^\d{1,3}$/.test(prefix) || bits > (family === 4 ? 32 : 128)) fail(`${JSON.stringify(cidr)} has an invalid prefix length`);
  }
  return cidr;
}

/** Names of physical networks (Neutron's `physnet1`) and host interfaces: what `ip link` accepts, nothing a command line would read otherwise. */
const NAME = /^[A-Za-z0-9_][A-Za-z0-9_.:-]{0,63}$/;

export function checkName(kind: string, name: string): string {
  return NAME.test(name) ? name : fail(`${kind} ${JSON.stringify(name)} is not a valid name`);
}

export function checkRemotePort(port: RemotePortSpec): RemotePortSpec {
  checkMac(port.mac_address);
  port.ip_addresses.forEach(checkAddress);
  checkAddress(port.tunnel_ip);
  return port;
}

export function checkTunnelAddressChange(change: TunnelAddressChange): TunnelAddressChange {
  checkAddress(change.tunnel_ip);
  for (const [mac, address] of [...change.before, ...change.after]) {
    checkMac(mac);
    checkAddress(address);
  }
  return change;
}

export function checkNetwork(network: NetworkSpec): NetworkSpec {
  checkId('network', network.id);
  if (network.physical_network != null) checkName('physical network', network.physical_network);
  if (!Number.isInteger(network.mtu) || network.mtu < 68 || network.mtu > 65535) fail(`network ${network.id}: MTU ${network.mtu} is out of range`);
  for (const subnet of network.subnets) {
    checkId('subnet', subnet.id);
    checkCidr(subnet.cidr);
    if (subnet.gateway_ip !== null) checkAddress(subnet.gateway_ip);
    subnet.dns_nameservers.forEach(checkAddress);
    subnet.allocation_pools.forEach((pool) => [pool.start, pool.end].forEach(checkAddress));
    subnet.host_routes.forEach((route) => (checkCidr(route.destination), checkAddress(route.nexthop)));
  }
  if (network.dhcp_port !== null) {
    checkId('port', network.dhcp_port.id);
    checkMac(network.dhcp_port.mac_address);
    network.dhcp_port.fixed_ips.forEach((ip) => (checkId('subnet', ip.subnet_id), checkAddress(ip.ip_address)));
  }
  return network;
}

export function checkPort(port: PortSpec): PortSpec {
  checkId('port', port.id);
  checkId('network', port.network_id);
  checkMac(port.mac_address);
  port.fixed_ips.forEach((ip) => (checkId('subnet', ip.subnet_id), checkAddress(ip.ip_address)));
  port.security_groups.forEach((id) => checkId('security group', id));
  port.allowed_address_pairs.forEach((pair) => {
    checkCidr(pair.ip_address);
    if (pair.mac_address !== undefined) checkMac(pair.mac_address);
  });
  if (port.dns_name != null && port.dns_name !== '' && !HOSTNAME.test(port.dns_name)) fail(`port ${port.id}: ${JSON.stringify(port.dns_name)} is not a host name`);
  return port;
}

function checkPortNumber(value: number | null, what: string): void {
  if (value !== null && (!Number.isInteger(value) || value < 0 || value > 65535)) fail(`${what} ${value} is out of range`);
}

export function checkSecurityGroup(group: SecurityGroupSpec): SecurityGroupSpec {
  checkId('security group', group.id);
  for (const rule of group.rules) {
    checkId('security group rule', rule.id);
    if (rule.protocol !== null && !PROTOCOLS.has(rule.protocol) && !/^\d{1,3}$/.test(rule.protocol)) fail(`rule ${rule.id}: unknown protocol ${JSON.stringify(rule.protocol)}`);
    checkPortNumber(rule.port_range_min, `rule ${rule.id}: port_range_min`);
    checkPortNumber(rule.port_range_max, `rule ${rule.id}: port_range_max`);
    if (rule.remote_ip_prefix !== null) checkCidr(rule.remote_ip_prefix);
    if (rule.remote_group_id !== null) checkId('security group', rule.remote_group_id);
  }
  return group;
}

export function checkRouter(router: RouterSpec): RouterSpec {
  checkId('router', router.id);
  const ends = [...router.interfaces, ...(router.external_gateway === null ? [] : [router.external_gateway])];
  for (const end of ends) {
    checkId('port', end.port_id);
    checkId('network', end.network_id);
    checkMac(end.mac_address);
    checkAddress(end.ip_address);
    checkCidr(end.cidr);
  }
  if (router.external_gateway?.gateway_ip != null) checkAddress(router.external_gateway.gateway_ip);
  return router;
}
