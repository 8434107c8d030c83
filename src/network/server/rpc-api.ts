/**
 * The network server's RPC API for its agents (Neutron's PluginApi and PluginReportStateAPI on
 * `q-plugin`): agents report their state, fetch what their host should hold, and say when a
 * port is wired. Every verb is a call.
 */
import type { FloatingIpSpec, NetworkSpec, PortSpec, RemotePortSpec, RouterSpec, SecurityGroupSpec } from '../agent/datapath-spec.js';

export const PLUGIN_TOPIC = 'q-plugin';
export const PLUGIN_API_VERSION = '1.0';

/** One agent row an agent process keeps alive (Neutron's agent_state). */
export interface AgentState {
  readonly agent_type: AgentType;
  readonly binary: string;
  readonly topic: string;
  readonly configurations: Readonly<Record<string, unknown>>;
}

/** The agent types this agent process plays, as `openstack network agent list` shows them. */
export type AgentType = 'Linux bridge agent' | 'DHCP agent' | 'L3 agent';

export interface ReportStateArgs {
  readonly host: string;
  readonly agents: readonly AgentState[];
  /** Why the host cannot wire anything though its agent runs (no CAP_NET_ADMIN); null when it can. */
  readonly down_reason: string | null;
  /** When the agent process started (ISO-8601). */
  readonly started_at: string;
}

export interface RouterState {
  readonly router: RouterSpec;
  /** The networks the router has ends on: wired before the router. */
  readonly networks: readonly NetworkSpec[];
  readonly floating_ips: readonly RouterFloatingIp[];
}

/** A floating IP the router maps, with its id so the agent can report it wired. */
export interface RouterFloatingIp extends FloatingIpSpec {
  readonly id: string;
}

/** A port and the host it is bound to (the agent reports its status as that host). */
export interface BoundPort {
  readonly host: string;
  readonly port: PortSpec;
}

/** The tunnel endpoints of the other hosts holding a VXLAN network, as a host should flood to them, and the ports bound there (Neutron's l2population fdb entries). */
export interface TunnelPeers {
  readonly network_id: string;
  readonly peers: readonly string[];
  /** Absent from a server that sends flooding entries only. */
  readonly ports?: readonly RemotePortSpec[];
}

/** Everything a host (or the hosts one agent answers for) should hold. */
export interface HostState {
  readonly networks: readonly NetworkSpec[];
  /** For each VXLAN network among `networks`, the other hosts' tunnel endpoints. */
  readonly tunnel_peers: readonly TunnelPeers[];
  readonly ports: readonly BoundPort[];
  readonly security_groups: readonly SecurityGroupSpec[];
  readonly routers: readonly RouterState[];
}

export interface HostsArgs {
  readonly hosts: readonly string[];
}

/** ACTIVE once the port is wired (update_device_up), DOWN once it is not (update_device_down). */
export interface PortStatusArgs {
  readonly port_id: string;
  readonly host: string;
  readonly status: 'ACTIVE' | 'DOWN';
}

/** The L3 agent mapped these floating IPs on the router (Neutron's update_floatingip_statuses). */
export interface FloatingIpStatusArgs {
  readonly router_id: string;
  readonly statuses: Readonly<Record<string, 'ACTIVE' | 'DOWN'>>;
}

/** The metadata agent's question (Neutron's MetadataPluginAPI): whose port holds this address, where the proxy named. */
export interface MetadataInstanceArgs {
  readonly address: string;
  readonly network_id: string | null;
  readonly router_id: string | null;
}

/** The instance (the port's device_id) and its project, or null when no single port answers. */
export type MetadataInstance = { readonly instance_id: string; readonly project_id: string } | null;

/** The closed table of verbs, by wire name, with their results. */
export interface PluginVerbs {
  report_state: { args: ReportStateArgs; result: null };
  get_host_state: { args: HostsArgs; result: HostState };
  update_port_status: { args: PortStatusArgs; result: null };
  update_floatingip_statuses: { args: FloatingIpStatusArgs; result: null };
  get_metadata_instance: { args: MetadataInstanceArgs; result: MetadataInstance };
}
