/**
 * Nova's network info (nova/network/model.py, cached in instance_info_caches): an instance's
 * ports as the compute agent bound them. The API renders `addresses` from it and the agent turns
 * it into the driver's VifSpecs at every start, so a guest's NICs never depend on Neutron
 * answering at that moment.
 */
import type { FixedIp, VifSpec } from '../virt/instance-spec.js';

export interface CachedFixedIp extends FixedIp {
  /** Floating IPs associated with this fixed IP (Neutron's floatingips with this fixed_ip_address). */
  readonly floatingIps: readonly string[];
}

/** One VIF (Nova's model.VIF), in the fields Nimbus uses. */
export interface CachedVif {
  /** The Neutron port id. */
  readonly id: string;
  /** The port's MAC address. */
  readonly address: string;
  readonly networkId: string;
  /** The network's name: the key of the server's `addresses`. */
  readonly networkLabel: string;
  /** binding:vif_type (`bridge`). */
  readonly type: string;
  readonly bridge: string;
  readonly devname: string;
  readonly mtu: number;
  readonly fixedIps: readonly CachedFixedIp[];
  /** A port the user made and passed in: deleting the server detaches it instead of deleting it. */
  readonly preserveOnDelete: boolean;
  /** The port's `tag` from the create request (2.32+), for device metadata. */
  readonly tag: string | null;
}

export type NetworkInfo = readonly CachedVif[];

/** Nova's NIC_NAME_LEN: Linux interface names are at most 14 characters here (tap + 11). */
const NIC_NAME_LEN = 14;

/** Nova's get_vif_devname: `tap` + the port id, cut to the NIC name length. */
export function vifDevname(portId: string): string {
  return `tap${portId}`.slice(0, NIC_NAME_LEN);
}

/** Nova's _nw_info_build_network for the Linux bridge: vif_details' bridge_name, else `brq` + the network id. */
export function vifBridge(networkId: string, vifDetails: Readonly<Record<string, unknown>>): string {
  const named = vifDetails['bridge_name'];
  return typeof named === 'string' && named !== '' ? named : `brq${networkId}`.slice(0, NIC_NAME_LEN);
}

/** What the driver plugs for one cached VIF. */
export function vifSpec(vif: CachedVif): VifSpec {
  return {
    id: vif.id,
    networkId: vif.networkId,
    mac: vif.address,
    bridge: vif.bridge,
    devname: vif.devname,
    mtu: vif.mtu,
    fixedIps: vif.fixedIps.map(({ address, version, subnetId }) => ({ address, version, subnetId })),
  };
}

/** What the driver plugs: one VifSpec per cached VIF, in order. */
export function vifSpecs(info: NetworkInfo): VifSpec[] {
  return info.map(vifSpec);
}

/** Reads a stored info cache; a missing or unreadable one is no network. */
export function parseNetworkInfo(json: string | undefined): NetworkInfo {
  if (json === undefined || json === '') return [];
  const parsed = JSON.parse(json) as unknown;
  return Array.isArray(parsed) ? (parsed as CachedVif[]) : [];
}
