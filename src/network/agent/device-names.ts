/**
 * Kernel object names, as Neutron's Linux bridge agent gives them, so an operator who knows
 * Neutron finds the same things here: `brq<11>` bridges, `tap<11>` ports, `qdhcp-<net>` and
 * `qrouter-<router>` namespaces, `ns-<11>`, `qr-<11>` and `qg-<11>` namespace ends. Interface names
 * are at most 15 characters, hence the first 11 characters of the id.
 */
import { createHash } from 'node:crypto';
import { InvalidDatapathSpec } from './errors.js';

const ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const SHORT = 11;

/** Ids go into device, namespace, file and nftables names: only Neutron's UUIDs are accepted. */
export function checkId(kind: string, id: string): string {
  if (!ID.test(id)) throw new InvalidDatapathSpec(`${kind} id ${JSON.stringify(id)} is not a lower-case UUID`);
  return id;
}

function short(kind: string, id: string): string {
  return checkId(kind, id).slice(0, SHORT);
}

export const BRIDGE_PREFIX = 'brq';
export const TAP_PREFIX = 'tap';
export const DHCP_NAMESPACE_PREFIX = 'qdhcp-';
export const ROUTER_NAMESPACE_PREFIX = 'qrouter-';
export const ROUTER_INTERFACE_PREFIX = 'qr-';
export const ROUTER_GATEWAY_PREFIX = 'qg-';

export const bridgeName = (networkId: string): string => BRIDGE_PREFIX + short('network', networkId);
export const tapName = (portId: string): string => TAP_PREFIX + short('port', portId);
export const dhcpNamespace = (networkId: string): string => DHCP_NAMESPACE_PREFIX + checkId('network', networkId);
export const dhcpDevice = (portId: string): string => 'ns-' + short('port', portId);
export const routerNamespace = (routerId: string): string => ROUTER_NAMESPACE_PREFIX + checkId('router', routerId);
export const routerInterfaceDevice = (portId: string): string => ROUTER_INTERFACE_PREFIX + short('port', portId);
export const routerGatewayDevice = (portId: string): string => ROUTER_GATEWAY_PREFIX + short('port', portId);

const DEVICE_NAME_MAX = 15;
const HASH_LENGTH = 6;

/**
 * A VLAN subinterface of the physical device (physical.ts): `<device>.<vlan id>` as Neutron
 * names it; where that passes 15 characters, the device name is cut and ends in 6 hex digits of
 * its SHA-1, as Neutron's get_subinterface_name does.
 */
export function vlanDevice(physicalDevice: string, vlanId: number): string {
  const postfix = `.${vlanId}`;
  if (physicalDevice.length + postfix.length <= DEVICE_NAME_MAX) return physicalDevice + postfix;
  const keep = DEVICE_NAME_MAX - postfix.length - HASH_LENGTH;
  return physicalDevice.slice(0, keep) + createHash('sha1').update(physicalDevice).digest('hex').slice(0, HASH_LENGTH) + postfix;
}

/** A VXLAN device per VNI (tunnels.ts). */
export const vxlanDevice = (vni: number): string => `vxlan-${vni}`;
