/**
 * The security groups and anti-spoofing of this host's ports, kept in nftables and changed in
 * place: every change (a group's rules, a port's addresses or groups, a port coming or going) is
 * one `nft -f` transaction that rewrites only the chains of the ports concerned and the member
 * sets of remote groups, so the kernel swaps them atomically and nothing else is reloaded.
 */
import { writeFile } from 'node:fs/promises';
import { hasPortSecurity, type PortSpec, type SecurityGroupRuleSpec, type SecurityGroupSpec } from '../../datapath-spec.js';
import { InvalidDatapathSpec } from '../../errors.js';
import { run, tryRun } from '../exec.js';
import { forgetConnections } from './connections.js';
import { addBridge, addTunnel, createTables, deleteTables, removeBridge, removeTunnel } from './firewall-tables.js';
import { chainNames, removePort, sourcePairs, writePort, type SecuredPort } from './port-chains.js';
import { familyOf, remoteGroupSet } from './rule-expressions.js';

const TABLE_NAME = /^[a-z][a-z0-9_]{0,31}$/;
const INTERFACE_NAME = /^[a-zA-Z0-9_.-]{1,15}$/;
const MAX_INDEX = 0xffff;

export interface FirewallOptions {
  /** The name of both nftables tables (`bridge` and `inet` family). */
  readonly table: string;
  /** The one interface guest traffic may be routed to; none by default. */
  readonly uplink?: string;
  /** The bridge a network's ports are on (its `brq` bridge, or one that bridge_mappings names). */
  readonly bridgeOf: (networkId: string) => string;
}

export class Firewall {
  readonly table: string;
  private readonly uplink: string | undefined;
  private readonly bridgeOf: (networkId: string) => string;
  private readonly groups = new Map<string, SecurityGroupSpec>();
  private readonly ports = new Map<string, SecuredPort>();
  private readonly zones = new Map<string, number>();
  /** Tunnel devices in the bridge table, with the MAC kept off each (see firewall-tables.ts). */
  private readonly tunnels = new Map<string, string | null>();
  /** Remote-group sets that exist in the inet table. */
  private readonly sets = new Set<string>();
  private created = false;

  constructor(options: FirewallOptions) {
    if (!TABLE_NAME.test(options.table)) throw new InvalidDatapathSpec(`nftables table name ${JSON.stringify(options.table)} is invalid`);
    if (options.uplink !== undefined && !INTERFACE_NAME.test(options.uplink)) throw new InvalidDatapathSpec(`uplink ${JSON.stringify(options.uplink)} is not an interface name`);
    this.table = options.table;
    this.uplink = options.uplink;
    this.bridgeOf = options.bridgeOf;
  }

  async addBridge(bridge: string): Promise<void> {
    if (this.zones.has(bridge)) return;
    const zone = freeIndex(new Set(this.zones.values()));
    await this.commit(addBridge(this.table, bridge, zone));
    this.zones.set(bridge, zone);
  }

  async removeBridge(bridge: string): Promise<void> {
    if (!this.zones.has(bridge)) return;
    await this.commit(removeBridge(this.table, bridge));
    this.zones.delete(bridge);
  }

  /** The tunnel device carries none of `hostLocalMac`'s frames (the network's DHCP port, or null) nor guests' DHCP requests. */
  async setTunnel(device: string, hostLocalMac: string | null): Promise<void> {
    const previous = this.tunnels.get(device);
    if (previous === hostLocalMac) return;
    await this.commit([...(previous === undefined ? [] : removeTunnel(this.table, device, previous)), ...addTunnel(this.table, device, hostLocalMac)]);
    this.tunnels.set(device, hostLocalMac);
  }

  async removeTunnel(device: string): Promise<void> {
    const previous = this.tunnels.get(device);
    if (previous === undefined) return;
    await this.commit(removeTunnel(this.table, device, previous));
    this.tunnels.delete(device);
  }

  /** Secures the port (or rewrites its chains), or removes its security where it has none (hasPortSecurity). */
  async setPort(port: PortSpec): Promise<void> {
    const previous = this.ports.get(port.id);
    if (!hasPortSecurity(port)) return this.removePort(port.id);
    const secured = { spec: port, index: previous?.index ?? freeIndex(new Set([...this.ports.values()].map((p) => p.index))) };
    await this.apply([secured], [], (ports) => ports.set(port.id, secured));
    if (previous !== undefined) await this.forget([previous, secured]);
  }

  async removePort(portId: string): Promise<void> {
    const previous = this.ports.get(portId);
    if (previous === undefined) return;
    await this.apply([], [previous], (ports) => ports.delete(portId));
    await this.forget([previous]);
  }

  /** The group's rules, in force on every port in it. */
  async setGroup(group: SecurityGroupSpec): Promise<void> {
    const previous = this.groups.get(group.id);
    this.groups.set(group.id, group);
    const members = [...this.ports.values()].filter((secured) => secured.spec.security_groups.includes(group.id));
    try {
      await this.apply(members, [], () => undefined);
    } catch (error) {
      if (previous === undefined) this.groups.delete(group.id);
      else this.groups.set(group.id, previous);
      throw error;
    }
    // Only a rule that went away can revoke a connection; added rules leave them be.
    const kept = new Set(group.rules.map(ruleKey));
    if (previous !== undefined && previous.rules.some((rule) => !kept.has(ruleKey(rule)))) await this.forget(members);
  }

  async removeGroup(groupId: string): Promise<void> {
    const group = this.groups.get(groupId);
    if (group === undefined) return;
    await this.setGroup({ id: groupId, rules: [] });
    this.groups.delete(groupId);
  }

  /** Ports whose chains are in the kernel (read back from the ruleset). */
  async securedPorts(): Promise<string[]> {
    if (!this.created) return [];
    const listing = await run('nft', ['list', 'table', 'inet', this.table]);
    return [...this.ports.keys()].filter((id) => listing.includes(`chain ${chainNames(id).egress} {`));
  }

  /**
   * Deletes both tables with everything in them. The groups are remembered: the next change
   * makes the tables again with their rules.
   */
  async destroy(): Promise<void> {
    for (const command of deleteTables(this.table)) await tryRun('nft', command.split(' '));
    this.ports.clear();
    this.zones.clear();
    this.sets.clear();
    this.tunnels.clear();
    this.created = false;
  }

  /**
   * One transaction: the remote-group sets the resulting ports need (filled with the members'
   * current addresses), the written ports' chains, the removed ports' chains, then the sets
   * nothing refers to any more. Memory follows only once the kernel has taken it.
   */
  private async apply(written: readonly SecuredPort[], removed: readonly SecuredPort[], update: (ports: Map<string, SecuredPort>) => void): Promise<void> {
    const ports = new Map(this.ports);
    update(ports);
    const needed = this.neededSets(ports);
    const lines: string[] = [];
    for (const [name, addresses] of needed) {
      lines.push(`add set inet ${this.table} ${name} { type ${name.startsWith('rg4') ? 'ipv4_addr' : 'ipv6_addr'}; flags interval; auto-merge; }`);
      lines.push(`flush set inet ${this.table} ${name}`);
      if (addresses.length > 0) lines.push(`add element inet ${this.table} ${name} { ${addresses.join(', ')} }`);
    }
    for (const secured of written) lines.push(...writePort(this.table, secured, this.groups));
    for (const secured of removed) lines.push(...removePort(this.table, secured));
    const stale = [...this.sets].filter((name) => !needed.has(name));
    for (const name of stale) lines.push(`delete set inet ${this.table} ${name}`);
    await this.commit(lines);
    this.ports.clear();
    for (const [id, secured] of ports) this.ports.set(id, secured);
    stale.forEach((name) => this.sets.delete(name));
    needed.forEach((_, name) => this.sets.add(name));
  }

  /** Every remote group some port's rules refer to, with its members' addresses of that family. */
  private neededSets(ports: ReadonlyMap<string, SecuredPort>): Map<string, string[]> {
    const needed = new Map<string, string[]>();
    for (const secured of ports.values()) {
      for (const rule of secured.spec.security_groups.flatMap((id) => this.groups.get(id)?.rules ?? [])) {
        if (rule.remote_group_id === null) continue;
        const family = familyOf(rule);
        const name = remoteGroupSet(rule.remote_group_id, family);
        if (needed.has(name)) continue;
        const members = [...ports.values()].filter((member) => member.spec.security_groups.includes(rule.remote_group_id as string));
        const addresses = members.flatMap((member) => sourcePairs(member.spec).filter((pair) => pair.family === family).map((pair) => pair.address));
        needed.set(name, [...new Set(addresses)]);
      }
    }
    return needed;
  }

  /** Ends the ports' tracked connections in their bridges' zones (see connections.ts). */
  private async forget(ports: readonly SecuredPort[]): Promise<void> {
    for (const { spec } of ports) {
      const zone = this.zones.get(this.bridgeOf(spec.network_id));
      const addresses = sourcePairs(spec).filter((pair) => !pair.address.includes('/')).map((pair) => pair.address);
      if (zone !== undefined) await forgetConnections(zone, addresses);
    }
  }

  private async commit(lines: readonly string[]): Promise<void> {
    if (!this.created) {
      // What hands bridged IPv4/IPv6 to the inet tables (see firewall-tables.ts); Neutron's agent requires the same.
      for (const family of ['iptables', 'ip6tables']) await writeFile(`/proc/sys/net/bridge/bridge-nf-call-${family}`, '1');
    }
    // The first transaction of this process starts from a clean slate: what an earlier agent left
    // (chains of ports it knew, marks it gave) is replaced atomically; the agent's resync plugs every port again.
    const prologue = this.created ? [] : [...deleteTables(this.table).flatMap((command) => [command.replace('delete', 'add'), command]), ...createTables(this.table, this.uplink)];
    await run('nft', ['-f', '-'], { input: [...prologue, ...lines].join('\n') + '\n' });
    this.created = true;
  }
}

/** A rule's meaning without its id: a rule re-created with the same fields revokes nothing. */
function ruleKey(rule: SecurityGroupRuleSpec): string {
  return JSON.stringify([rule.direction, rule.ethertype, rule.protocol, rule.port_range_min, rule.port_range_max, rule.remote_ip_prefix, rule.remote_group_id]);
}

function freeIndex(used: ReadonlySet<number>): number {
  for (let index = 1; index <= MAX_INDEX; index += 1) if (!used.has(index)) return index;
  throw new InvalidDatapathSpec(`more than ${MAX_INDEX} secured ports or bridges on one host`);
}
