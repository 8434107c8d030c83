/**
 * Physical networks as Neutron's Linux bridge agent maps them (`[linux_bridge]
 * physical_interface_mappings = physnet1:eth1`): a flat network's bridge holds the mapped
 * interface itself, a vlan network's bridge holds the interface's 802.1q subinterface
 * `<interface>.<vlan id>`, made here. Letting the network go deletes the subinterface and only
 * takes the mapped interface off the bridge: an interface named in the mappings is the host's,
 * never deleted, and its MTU and addresses are left as they are.
 *
 * `[linux_bridge] bridge_mappings = physnet1:br-ex` names instead an existing bridge of the host
 * that a flat network on physnet1 uses as its own (no `brq` bridge, no interface enslaved).
 */
import { writeFile } from 'node:fs/promises';
import { CommandFailed } from '../../../common/process/run-command.js';
import { vlanDevice } from '../device-names.js';
import { ip, tryRun } from './exec.js';
import { deleteLink, linkExists } from './links.js';

/** Physical network name → host interface (Neutron's interface_mappings). */
export type InterfaceMappings = Readonly<Record<string, string>>;

/** The device a network's bridge holds to reach its physical network, and whether it is the mapped interface itself (never deleted) or a subinterface made for it. */
export interface PhysicalDevice {
  readonly device: string;
  readonly subinterface: boolean;
}

/** Physical network name → an existing bridge of the host (Neutron's bridge_mappings). */
export type BridgeMappings = Readonly<Record<string, string>>;

/** Reads Neutron's `physnet1:eth1,physnet2:eth2`; a physical network or an interface named twice is an error. */
export function parseInterfaceMappings(text: string): InterfaceMappings {
  return parseMappings(text, 'interface');
}

/** Reads Neutron's `physnet1:br-ex`; a physical network or a bridge named twice is an error. */
export function parseBridgeMappings(text: string): BridgeMappings {
  return parseMappings(text, 'bridge');
}

/** The bridge a flat network uses on this host: the one bridge_mappings names for its physical network; undefined for other networks. */
export function mappedBridgeOf(mappings: BridgeMappings, networkType: string, physicalNetwork: string | null | undefined): string | undefined {
  if (networkType !== 'flat' || physicalNetwork == null || !Object.hasOwn(mappings, physicalNetwork)) return undefined;
  return mappings[physicalNetwork];
}

function parseMappings(text: string, kind: 'interface' | 'bridge'): Readonly<Record<string, string>> {
  const mappings: Record<string, string> = {};
  const interfaces = new Set<string>();
  for (const entry of text.split(',').map((item) => item.trim()).filter((item) => item !== '')) {
    const [physnet = '', device = '', extra] = entry.split(':').map((part) => part.trim());
    if (physnet === '' || device === '' || extra !== undefined) throw new Error(`bad mapping "${entry}": expected physical_network:${kind}`);
    if (Object.hasOwn(mappings, physnet)) throw new Error(`physical network "${physnet}" is mapped twice`);
    if (interfaces.has(device)) throw new Error(`${kind} "${device}" is mapped to two physical networks`);
    mappings[physnet] = device;
    interfaces.add(device);
  }
  return mappings;
}

/** The device for a flat or vlan network on a mapped physical network; undefined for other networks and unmapped physical networks. */
export function physicalDeviceOf(mappings: InterfaceMappings, networkType: string, physicalNetwork: string | null | undefined, segmentationId: number | null): PhysicalDevice | undefined {
  if (physicalNetwork == null || !Object.hasOwn(mappings, physicalNetwork)) return undefined;
  const device = mappings[physicalNetwork] as string;
  if (networkType === 'flat') return { device, subinterface: false };
  if (networkType === 'vlan' && segmentationId !== null) return { device: vlanDevice(device, segmentationId), subinterface: true };
  return undefined;
}

/**
 * The device is on the bridge and up; a vlan subinterface is made first (tagging with the VLAN
 * id, with the network's MTU and IPv6 off, as Neutron's ensure_vlan). The mapped interface keeps
 * its own MTU. Fails when the mapped interface does not exist.
 */
export async function attachPhysical(physical: PhysicalDevice, parent: string, vlanId: number | null, bridge: string, mtu: number): Promise<void> {
  if (!(await linkExists(parent))) throw new Error(`the interface ${parent} of the physical network mapping does not exist`);
  if (physical.subinterface && vlanId !== null) {
    if (!(await linkExists(physical.device))) {
      await ip('link', 'add', 'link', parent, 'name', physical.device, 'type', 'vlan', 'protocol', '802.1Q', 'id', String(vlanId)).catch((error: unknown) => {
        if (error instanceof CommandFailed && /unknown device type/i.test(error.stderr)) throw new Error(`cannot make ${physical.device}: this kernel has no 802.1q VLAN support (CONFIG_VLAN_8021Q, module 8021q)`, { cause: error });
        throw error;
      });
    }
    await writeFile(`/proc/sys/net/ipv6/conf/${physical.device}/disable_ipv6`, '1');
    await ip('link', 'set', 'dev', physical.device, 'mtu', String(mtu));
  }
  await ip('link', 'set', 'dev', parent, 'up');
  await ip('link', 'set', 'dev', physical.device, 'master', bridge, 'up');
}

/** Off the bridge: a subinterface is deleted, the mapped interface only released. */
export async function detachPhysical(physical: PhysicalDevice): Promise<void> {
  if (physical.subinterface) await deleteLink(physical.device);
  else await tryRun('ip', ['link', 'set', 'dev', physical.device, 'nomaster']);
}
