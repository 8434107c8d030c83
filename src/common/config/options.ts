import { createHash } from 'node:crypto';
import { homedir, hostname } from 'node:os';
import { join } from 'node:path';

/** How one option's text (from the file, an env var or a flag) becomes a typed value. */
export interface OptionSpec<T> {
  readonly type: string;
  readonly help: string;
  readonly default: Default<T>;
  /** Returns the typed value, or throws an Error whose message says what is expected. */
  parse(text: string): T;
}

export type ResolvedSoFar = { readonly [section: string]: { readonly [key: string]: unknown } };

/** A fixed value, or one computed from the options already resolved (sections resolve in order). */
export type Default<T> = { readonly value: T } | { readonly compute: (resolved: ResolvedSoFar) => T };

function fixedOrComputed<T extends string>(def: T | ((resolved: ResolvedSoFar) => T)): Default<T> {
  return typeof def === 'function' ? { compute: def } : { value: def };
}

function str(help: string, def: string | ((resolved: ResolvedSoFar) => string)): OptionSpec<string> {
  return { type: 'string', help, default: fixedOrComputed(def), parse: (text) => text };
}

function int(help: string, def: number, range: { min: number; max: number }): OptionSpec<number> {
  return {
    type: `integer (${range.min}..${range.max})`,
    help,
    default: { value: def },
    parse(text) {
      const value = Number(text);
      if (!/^-?\d+$/.test(text) || value < range.min || value > range.max) {
        throw new Error(`expected an integer from ${range.min} to ${range.max}, got "${text}"`);
      }
      return value;
    },
  };
}

const TRUE = ['true', 'yes', 'on', '1'];
const FALSE = ['false', 'no', 'off', '0'];

function bool(help: string, def: boolean): OptionSpec<boolean> {
  return {
    type: 'boolean',
    help,
    default: { value: def },
    parse(text) {
      const lower = text.toLowerCase();
      if (TRUE.includes(lower)) return true;
      if (FALSE.includes(lower)) return false;
      throw new Error(`expected true or false, got "${text}"`);
    },
  };
}

/** `name:interface` pairs, comma-separated (Neutron's mapping options); each name and interface once. */
function mappings(help: string, device: 'interface' | 'bridge'): OptionSpec<string> {
  return {
    type: 'string',
    help,
    default: { value: '' },
    parse(text) {
      const names = new Set<string>();
      for (const entry of text.split(',').map((item) => item.trim()).filter((item) => item !== '')) {
        const parts = entry.split(':');
        if (parts.length !== 2 || !parts.every((part) => /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$/.test(part.trim()))) throw new Error(`expected name:${device} pairs separated by commas, got "${entry}"`);
        for (const [index, part] of parts.entries()) {
          const key = `${index}:${part.trim()}`;
          if (names.has(key)) throw new Error(`"${part.trim()}" is named twice in "${text}"`);
          names.add(key);
        }
      }
      return text;
    },
  };
}

/** Glance's `enabled_backends`: `id:type` pairs, comma-separated; every id once, of a type this cloud has (file). */
function backends(help: string): OptionSpec<string> {
  return {
    type: 'string',
    help,
    default: { value: '' },
    parse(text) {
      parseBackends(text);
      return text;
    },
  };
}

/** One store of `[DEFAULT] enabled_backends`. */
export interface BackendEntry {
  readonly id: string;
  readonly type: 'file';
}

/** The entries of an `enabled_backends` value, in order; throws an Error naming the first bad one. */
export function parseBackends(text: string): BackendEntry[] {
  const entries: BackendEntry[] = [];
  for (const entry of text.split(',').map((item) => item.trim()).filter((item) => item !== '')) {
    const [id, type, ...rest] = entry.split(':').map((part) => part.trim());
    if (id === undefined || !/^[A-Za-z0-9_][A-Za-z0-9_-]{0,63}$/.test(id) || rest.length > 0) throw new Error(`expected id:type pairs separated by commas, got "${entry}"`);
    if (type !== 'file') throw new Error(`store "${id}" is of type "${type ?? ''}": only file stores are offered`);
    if (id.startsWith('os_glance_')) throw new Error(`store id "${id}" uses the reserved prefix os_glance_`);
    if (Object.hasOwn(OPTIONS, id)) throw new Error(`store id "${id}" is the name of a config section`);
    if (entries.some((known) => known.id === id)) throw new Error(`store "${id}" is named twice in "${text}"`);
    entries.push({ id, type });
  }
  return entries;
}

function choice<const C extends string>(help: string, choices: readonly C[], def: C): OptionSpec<C> {
  return {
    type: `one of ${choices.join(', ')}`,
    help,
    default: { value: def },
    parse(text) {
      const found = choices.find((c) => c === text);
      if (found === undefined) throw new Error(`expected one of ${choices.join(', ')}, got "${text}"`);
      return found;
    },
  };
}

function url(help: string, schemes: readonly string[], def: string | ((resolved: ResolvedSoFar) => string)): OptionSpec<string> {
  return {
    type: `URL (${schemes.map((s) => `${s}://`).join(', ')})`,
    help,
    default: fixedOrComputed(def),
    parse(text) {
      // oslo.db's `mysql+pymysql://` names a Python driver; the engine is what counts here.
      const scheme = /^([a-z0-9]+)(\+[a-z0-9_]+)?:\/\//.exec(text)?.[1];
      if (scheme === undefined || !schemes.includes(scheme)) {
        throw new Error(`expected a URL starting with ${schemes.map((s) => `${s}://`).join(' or ')}, got "${text}"`);
      }
      return text;
    },
  };
}

function stateDir(resolved: ResolvedSoFar): string {
  return String(resolved['DEFAULT']?.['state_dir']);
}

/**
 * Every option Nimbus reads, by section, as in oslo.config. docs/CONFIG.md is generated from this
 * table (`nimbus config-docs`) and a test keeps the two equal.
 */
export const OPTIONS = {
  DEFAULT: {
    state_dir: str('Directory holding all local state: database file, keys, images, instances, logs. Default: ~/.nimbus.', () =>
      join(homedir(), '.nimbus'),
    ),
    host: str('Name of this host as services and the scheduler see it. Default: the machine\'s hostname.', () => hostname()),
    report_interval: int("Seconds between a service's heartbeats (Nova's report_interval).", 10, { min: 1, max: 3600 }),
    service_down_time: int(
      "Seconds after its last heartbeat a service counts as down: `compute service list` shows it down and the scheduler places nothing on its host (Nova's service_down_time; keep it well above report_interval).",
      60,
      { min: 1, max: 86400 },
    ),
    graceful_shutdown_timeout: int(
      "Seconds a service asked to stop may take to finish what it is doing and close its connections; past it, it logs an ERROR and exits without finishing (oslo.service's graceful_shutdown_timeout; 0: wait for ever). The next start on the state dir takes over what is left.",
      60,
      { min: 0, max: 86400 },
    ),
    debug: bool('Log at DEBUG level.', false),
    log_file: str('Also append log lines to this file (empty: stderr only).', ''),
    shelved_offload_time: int('Seconds a shelved server keeps its host before it is offloaded (0: at once, -1: never).', 0, { min: -1, max: 31536000 }),
    shelved_poll_interval: int('Seconds between the compute agents\' checks for shelved servers due to be offloaded (0: never).', 3600, { min: 0, max: 31536000 }),
    reclaim_instance_interval: int('Seconds a deleted server is kept SOFT_DELETED (powered off, restorable with `openstack server restore`) before its compute agent reclaims it; also how often agents look (0: servers are deleted at once).', 0, { min: 0, max: 31536000 }),
    force_config_drive: bool('Give every new server a config drive, whether or not it asked for one (`--config-drive`).', false),
    vif_plugging_timeout: int('Seconds a compute agent waits for Neutron\'s network-vif-plugged event for each port of a server it builds (0: no wait).', 300, { min: 0, max: 3600 }),
    vif_plugging_is_fatal: bool('A build whose ports are not reported plugged within vif_plugging_timeout fails (ERROR); false: the guest starts anyway.', true),
    allow_resize_to_same_host: bool('Let a resize land on the host the server is on (a cold migration never does).', false),
    metadata_proxy_socket: str("Unix socket Neutron's metadata agent listens on for the per-network metadata proxies (Neutron's [DEFAULT] metadata_proxy_socket).", (r) =>
      join(stateDir(r), 'network', 'metadata_proxy'),
    ),
    nova_metadata_host: str("Host of Nova's metadata API, where the metadata agent forwards guests' requests.", '127.0.0.1'),
    nova_metadata_port: int("Port of Nova's metadata API (the same as [api] metadata_listen_port where both run on one node).", 8775, { min: 1, max: 65535 }),
    enabled_backends: backends(
      'Image stores (Glance\'s enabled_backends), `id:type` pairs such as `fast:file, slow:file`; each has a section of its own named by its id (see "Image store sections" below). Empty: one store at `<state_dir>/images`, and the image API offers no store choice (/v2/info/stores is 404).',
    ),
    instance_build_timeout: int(
      "Seconds a server may stay in BUILD: the conductor sets one building longer to ERROR with the fault `Instance build timed out. Set to error state.` — whether it waits for a host (its claims are released) or its host's agent never finished (delete it to free the host). This is what ends a build an API process or the broker lost before any conductor took it (0: never; Nova's instance_build_timeout).",
      0,
      { min: 0, max: 31536000 },
    ),
    resize_confirm_window: int('Seconds after which a resize or cold migration awaiting confirmation is confirmed automatically (0: never).', 0, {
      min: 0,
      max: 31536000,
    }),
  },
  api: {
    bind_host: str('Address the HTTP listener binds to.', '127.0.0.1'),
    port: int('Port of the HTTP listener hosting every service API.', 8770, { min: 0, max: 65535 }),
    public_url: str('Base URL clients reach the APIs at, used in the catalog and links (empty: http://bind_host:port).', ''),
    max_request_body_size: int('Largest accepted request body in bytes for JSON APIs (larger: 413).', 114688, {
      min: 1024,
      max: 1 << 30,
    }),
    metadata_listen: str("Address Nova's metadata API listens on (nova-api-metadata; guests reach it through the network's metadata proxy, never directly).", '127.0.0.1'),
    metadata_listen_port: int("Port of Nova's metadata API (0: any free port).", 8775, { min: 0, max: 65535 }),
  },
  database: {
    connection: url('Database URL. Default: sqlite:///<state_dir>/nimbus.sqlite.', ['sqlite', 'postgresql', 'postgres', 'mysql', 'mariadb'], (r) =>
      `sqlite:///${join(stateDir(r), 'nimbus.sqlite')}`,
    ),
    query_timeout: int(
      "Seconds one step of a served request or background task on the database (getting a connection, a statement, a commit) may take; then it fails as the database being unavailable (503), so a server that stops answering (packets dropped, a hung host) cannot hang requests forever (0: no limit). Like the driver-level read_timeout of pymysql or PostgreSQL's statement_timeout that Nova's deployments set in the connection URL; oslo.db has no option of its own. `nimbus db sync` is never limited.",
      30,
      { min: 0, max: 86400 },
    ),
  },
  bus: {
    transport_url: url('Message bus: inproc:// (one process) or rabbit://user:pass@host:port/vhost.', ['inproc', 'rabbit', 'amqp'], 'inproc://'),
    rpc_response_timeout: int('Seconds a bus call waits for its reply before MessagingTimeout.', 60, { min: 1, max: 3600 }),
    long_rpc_timeout: int("Seconds a bus call that waits on a host's slow work (interface attach: the port's wiring and the hot-plug) waits for its reply, as Nova's.", 1800, { min: 1, max: 86400 }),
    amqp_durable_queues: bool(
      "RabbitMQ: the control exchange and the topic and server queues are durable and casts persistent, so a cast the broker confirmed survives the broker's restart or crash (otherwise a cast still queued is lost with it: builds and single-step actions are cast again by their senders once reconnected, a move's cast is lost). oslo.messaging's amqp_durable_queues. Every process of a cloud must agree; switching it on a vhost that has the queues already needs them deleted first (`rabbitmqctl delete_queue`, or a fresh vhost). Messages a process was handling when the broker died are delivered again after it (at least once).",
      false,
    ),
  },
  identity: {
    token_expiration: int('Seconds a token stays valid after it is issued.', 86400, { min: 60, max: 31536000 }),
    max_active_keys: int('Fernet keys kept by `nimbus fernet rotate` (staged + primary + secondaries).', 3, { min: 1, max: 100 }),
    lockout_failure_attempts: int('Failed password attempts before a user is locked out (0: never).', 0, { min: 0, max: 1000 }),
    lockout_duration: int('Seconds a locked-out user stays locked.', 1800, { min: 1, max: 31536000 }),
    password_regex: str('Regular expression a new password must match (empty: any).', ''),
    password_regex_description: str('What password_regex requires, in words, for the error message.', ''),
  },
  catalog: {
    cache_time: int(
      "Seconds the service catalog that tokens carry is kept in memory (Keystone's [catalog] cache_time): a change through this process's identity API shows at once, one through another API process on the same database within this time (0: read the database for every token).",
      30,
      { min: 0, max: 86400 },
    ),
  },
  oslo_policy: {
    policy_file: str('JSON or YAML file overriding policy rules by name (empty: the defaults in code).', ''),
  },
  image: {
    image_size_cap: int('Largest image in bytes an upload may bring (larger: 413, the partial data removed).', 1099511627776, {
      min: 1,
      max: Number.MAX_SAFE_INTEGER,
    }),
    image_size_total: int('Bytes of image data one project may store in all (0: no limit).', 0, { min: 0, max: Number.MAX_SAFE_INTEGER }),
    image_count_total: int('Images one project may own (0: no limit).', 0, { min: 0, max: 1_000_000_000 }),
    require_image_format_match: bool('Refuse uploads whose content is not in the image\'s disk_format (a raw image that is really qcow2 too).', true),
  },
  glance_store: {
    default_backend: str('The store of [DEFAULT] enabled_backends that uploads and imports go to when the request names none (empty: the first one listed).', ''),
  },
  compute: {
    driver: choice(
      'Virt driver of compute agents: qemu (real guests under QEMU over QMP, KVM where it works, TCG elsewhere; needs qemu-system-x86_64), fake (in-memory, for scale tests), or auto: qemu where qemu-system-x86_64 is installed, fake elsewhere.',
      ['auto', 'qemu', 'fake'],
      'auto',
    ),
    instances_path: str(
      "Where compute agents keep their guests' disks (Nova's instances_path): empty for each host's own `<state_dir>/compute/<host>/instances`; a directory shared by several hosts (the same path on one machine, or an NFS mount) is shared instance storage: live migration leaves the disks in place and evacuation boots them again.",
      '',
    ),
    live_migration_inbound_addr: str(
      "Address of this host that the other compute hosts reach its incoming live migrations at: the destination's QEMU listens there for the migration stream and, in a block migration, for the disk copy (Nova's [libvirt] live_migration_inbound_addr). Empty: 127.0.0.1, for agents that share one machine's loopback (the all-in-one).",
      '',
    ),
    agents: int('Compute agents the all-in-one node runs, as hosts compute-1 … compute-N (`nimbus up --compute-hosts N`); scaled out, they run under `nimbus compute-agent`.', 1, { min: 0, max: 10000 }),
  },
  vnc: {
    novncproxy_base_url: str(
      "Public address of the noVNC console page that console URLs (`openstack console url show --novnc`) start with, Nova's novncproxy_base_url; the URL adds `?path=%3Ftoken%3D<token>` (empty: `<public url>/novnc/vnc_lite.html`, the console proxy on the cloud's own listener).",
      '',
    ),
  },
  consoleauth: {
    token_ttl: int("Seconds a console token is good for after it is handed out (Nova's [consoleauth] token_ttl); the console proxy also takes it only once.", 600, { min: 0, max: 86400 }),
  },
  network: {
    global_physnet_mtu: int("MTU of the underlying physical networks; a flat or vlan network's MTU is this, a vxlan network's this less 50 bytes of encapsulation (Neutron's global_physnet_mtu).", 1500, { min: 68, max: 65535 }),
    flat_networks: str('Physical networks flat networks may be made on, comma-separated (`*`: any name; Neutron\'s [ml2_type_flat] flat_networks).', '*'),
    network_vlan_ranges: str(
      "Physical networks vlan networks may be made on, with the vlan ids tenant networks get: `physnet1:1000:2999,physnet2` (a name alone: provider networks only; Neutron's [ml2_type_vlan] network_vlan_ranges).",
      'physnet1:1000:2999',
    ),
    vni_ranges: str("VXLAN ids tenant networks get, `first:last` ranges comma-separated (Neutron's [ml2_type_vxlan] vni_ranges).", '1:1000'),
    tenant_network_types: str("Types a network made without provider attributes gets, in order of preference (Neutron's [ml2] tenant_network_types).", 'vxlan'),
    quota_network: int('Networks one project may have (-1: no limit).', 100, { min: -1, max: 1_000_000_000 }),
    quota_subnet: int('Subnets one project may have (-1: no limit).', 100, { min: -1, max: 1_000_000_000 }),
    quota_port: int('Ports one project may have (-1: no limit).', 500, { min: -1, max: 1_000_000_000 }),
    quota_router: int('Routers one project may have (-1: no limit).', 10, { min: -1, max: 1_000_000_000 }),
    quota_floatingip: int('Floating IPs one project may have (-1: no limit).', 50, { min: -1, max: 1_000_000_000 }),
    quota_security_group: int('Security groups one project may have (-1: no limit).', 10, { min: -1, max: 1_000_000_000 }),
    quota_security_group_rule: int('Security group rules one project may have (-1: no limit).', 100, { min: -1, max: 1_000_000_000 }),
    agent_down_time: int("Seconds after its last state report a network agent counts as down: ports no longer bind to its host (Neutron's agent_down_time).", 75, { min: 5, max: 86400 }),
    report_interval: int("Seconds between a network agent's state reports (Neutron's [agent] report_interval).", 10, { min: 1, max: 3600 }),
    l3_host: str('Host whose network agent wires every router and floating IP (the L3 agent); empty: this node\'s [DEFAULT] host. Scaled out, name the host that runs `nimbus network-agent` with the external network.', ''),
    datapath: choice(
      'Data path of network agents: linux-bridge (bridges, taps, dnsmasq, namespaces, nftables; needs root with CAP_NET_ADMIN, else the agent reports itself down and ports do not bind), fake (records what it is told, for clouds of fake hosts), or auto: fake when the compute driver is fake, linux-bridge otherwise.',
      ['auto', 'linux-bridge', 'fake'],
      'auto',
    ),
    datapath_state_dir: str(
      "Where a network agent keeps dnsmasq's files. Every directory above it must be open to `nobody`, as dnsmasq reads them after dropping to that user, so the default is not under the state dir (mode 0700) but /run/nimbus/network-<hash of the state dir>.",
      (r) => join('/run/nimbus', `network-${createHash('sha256').update(stateDir(r)).digest('hex').slice(0, 12)}`),
    ),
    enable_isolated_metadata: bool(
      "Serve the metadata service (169.254.169.254) through proxies (haproxy) to the metadata agent's socket, as Neutron's L3 and DHCP agents do: each router's namespace serves the subnets it is the gateway of (guests reach it by their default route), and a network's DHCP namespace serves its isolated subnets (no router at their gateway), whose guests DHCP hands the route there (Neutron's enable_isolated_metadata).",
      true,
    ),
    force_metadata: bool("With enable_isolated_metadata: the DHCP namespaces serve the metadata service to every subnet's guests, routed or not, and DHCP routes them all there (Neutron's force_metadata).", false),
    nft_table: str('Name of the nftables tables (`bridge` and `inet`) holding the security groups on a host.', 'nimbus'),
    local_ip: str(
      "This host's VXLAN tunnel endpoint (Neutron's [vxlan] local_ip): an address of this host that the other network agents' hosts reach. With it, VXLAN networks cross hosts (UDP 4789 between the endpoints, flooding to each host the server names; give the underlay an MTU of at least the networks' MTU + 50). Empty (the default, the all-in-one): VXLAN networks stay on this host.",
      '',
    ),
    uplink: str("The one host interface that traffic of Nimbus's bridges may be forwarded to (the external network's way out); empty (the default): none, guests reach only what Nimbus built and nothing reaches the host's uplink.", ''),
    arp_responder: bool(
      "With local_ip: each VXLAN device answers ARP and neighbour solicitations for the other hosts' ports itself, from the entries the server sends (Neutron's [vxlan] arp_responder with l2population); such requests then never cross the tunnels, and an address the server does not know (one of allowed_address_pairs) gets no answer from across them.",
      false,
    ),
  },
  linux_bridge: {
    physical_interface_mappings: mappings(
      "This host's interface for each physical network, `physnet1:eth1,physnet2:eth2` (Neutron's [linux_bridge] physical_interface_mappings): a flat network on physnet1 has eth1 itself on its brq bridge, a vlan network its 802.1q subinterface `eth1.<vlan id>` (made and deleted by the agent; eth1 is never deleted, only taken off the bridge when the network goes). Empty (the default): no host interface is ever put on a bridge, and (as Neutron) this host binds no port of a flat or vlan network whose physical network neither mapping names; the all-in-one maps DevStack's `public` to a bridge of its own.",
      'interface',
    ),
    bridge_mappings: mappings(
      "This host's existing bridge for each physical network, `physnet1:br-ex` (Neutron's [linux_bridge] bridge_mappings): a flat network on physnet1 uses br-ex itself instead of a brq bridge, so its guests' taps, its DHCP port and its routers' ends join br-ex, and whatever the operator put on br-ex (an interface, an address) carries the network. The bridge must exist (the network fails on this host otherwise); the agent never makes, changes or deletes it, and nothing is routed between it and other interfaces except [network] uplink. A physical network named here for flat networks may also be in physical_interface_mappings for its vlan networks. Empty (the default): no bridge is mapped.",
      'bridge',
    ),
  },
  volume: {
    volumes_dir: str('Where the file backend keeps its volumes and snapshots, as sparse raw files (default: <state_dir>/volumes).', (r) => join(stateDir(r), 'volumes')),
    volume_backend_name: str("The file backend's volume_backend_name: the service is cinder-volume@<name>, and a volume type's extra spec `volume_backend_name` picks it.", 'file'),
    storage_availability_zone: str('Availability zone of the volume services on this node (Cinder\'s storage_availability_zone).', 'nova'),
    enable_force_upload: bool("Let os-volume_upload_image (`openstack image create --volume --force`) copy an in-use volume (Cinder's enable_force_upload). Off, as in Cinder: `force` is ignored (an INFO line says so) and an in-use volume is refused.", false),
    default_volume_type: str('Volume type of volumes created without one in a project with no default of its own (3.62 /default-types; Cinder\'s __DEFAULT__ exists from the start).', '__DEFAULT__'),
    default_group_type: str("Name of the group type `GET /group_types/default` answers with (Cinder's default_group_type); empty: none, a 404.", ''),
    max_over_subscription_ratio: int('How many times its capacity a thin backend may provision (Cinder\'s max_over_subscription_ratio).', 20, { min: 1, max: 1000 }),
    reserved_percentage: int('Share of a backend\'s capacity kept free of new volumes, percent.', 0, { min: 0, max: 100 }),
    quota_volumes: int('Volumes a project may have by default (-1: no limit).', 10, { min: -1, max: 2147483647 }),
    quota_snapshots: int('Volume snapshots a project may have by default (-1: no limit).', 10, { min: -1, max: 2147483647 }),
    quota_gigabytes: int('GiB of volumes and snapshots a project may have by default (-1: no limit).', 1000, { min: -1, max: 2147483647 }),
    quota_backups: int('Volume backups a project may have by default (-1: no limit).', 10, { min: -1, max: 2147483647 }),
    quota_backup_gigabytes: int('GiB of volume backups a project may have by default (-1: no limit).', 1000, { min: -1, max: 2147483647 }),
    per_volume_size_limit: int('Largest volume a project may create, GiB (-1: no limit).', -1, { min: -1, max: 2147483647 }),
    target_protocol: choice(
      "How compute hosts reach this node's volumes (Cinder's target_protocol). `auto`: the volume's path for the hosts this node runs itself (its [DEFAULT] host and `nimbus up`'s compute-1…N), an NBD export (qemu-storage-daemon, TLS with a key of its own per attachment) for any other; `file`: always the path (hosts that mount volumes_dir at the same place); `nbd`: always an export.",
      ['auto', 'file', 'nbd'],
      'auto',
    ),
    target_ip_address: str("Address this node's NBD exports listen on and hand to compute hosts (Cinder's target_ip_address): one the other hosts reach.", '127.0.0.1'),
    target_port: int('First TCP port of the NBD exports; each export (one per volume and compute host) takes the first free one of target_port_count ports from here.', 10809, { min: 1, max: 65535 }),
    target_port_count: int('How many ports from target_port the NBD exports may take (open them to the compute hosts).', 1000, { min: 1, max: 65535 }),
    message_ttl: int("Seconds a user message (`openstack volume message list`) is kept at least: its guaranteed_until (Cinder's [DEFAULT] message_ttl).", 2592000, { min: 0, max: 315360000 }),
    message_reap_interval: int("Seconds between the volume scheduler's deletions of the user messages past their guaranteed_until; the first at its start (Cinder's [DEFAULT] message_reap_interval).", 86400, { min: 1, max: 31536000 }),
  },
  backup: {
    backup_posix_path: str('Where the backup service keeps backups: a directory per backup with its zlib-compressed chunks, metadata and sha256 files (default: <state_dir>/backup).', (r) => join(stateDir(r), 'backup')),
    chunk_size: int('Largest chunk of a backup, bytes (Cinder\'s 32 MiB); a multiple of sha_block_size.', 32 * 1024 * 1024, { min: 32 * 1024, max: 1024 * 1024 * 1024 }),
    sha_block_size: int('Block an incremental backup compares with its parent, bytes (Cinder\'s backup_sha_block_size_bytes).', 32 * 1024, { min: 4096, max: 64 * 1024 * 1024 }),
    progress_percent: int('A backup or restore logs its progress each time this much more of it is done, percent.', 10, { min: 1, max: 100 }),
  },
  glance: {
    endpoint_override: str(
      'Base URL of the image API (Glance v2) that compute agents under `nimbus compute-agent` read images from and upload snapshots to, e.g. http://controller:8770/image (empty: the image endpoint of the [service_user] token\'s catalog, internal interface first, then public).',
      '',
    ),
  },
  cinder: {
    endpoint_override: str(
      'Base URL of the volume API (Cinder v3, up to /v3 without the project) that compute attaches volumes through, e.g. http://controller:8770/volume/v3 (empty: this node\'s own volume API when it serves one, else the block-storage endpoint of the [service_user] token\'s catalog).',
      '',
    ),
  },
  neutron: {
    metadata_proxy_shared_secret: str(
      "Secret Neutron's metadata agent signs the instance id with (X-Instance-ID-Signature, HMAC-SHA256) and Nova's metadata API checks it by: the same on both sides. Empty: a secret generated in the state dir on first start (`metadata-proxy-secret`), which one-host clouds share.",
      '',
    ),
    default_floating_pool: str('External network (name or id) the compute floating IP proxy (os-floating-ips, up to 2.35) allocates from when the request names no pool. Nova\'s default is `nova`; `nimbus up` names its external network `public`.', 'public'),
    endpoint_override: str(
      'Base URL of the network API (Neutron v2.0) compute reaches ports through, e.g. http://controller:8770/network (empty: this node\'s own when it serves network, else the network endpoint of the [service_user] token\'s catalog).',
      '',
    ),
  },
  service_user: {
    auth_url: str('Identity API (Keystone v3) URL compute agents under `nimbus compute-agent` and the network server (its port events to Nova) authenticate at, e.g. http://controller:8770/identity; its token serves work no user asked for (start-up recovery, periodic tasks, os-server-external-events) and finds the image and compute endpoints (empty: no service user; the all-in-one then uses its bootstrapped admin).', ''),
    username: str('User the compute agents authenticate as (one with the admin role, as Nova\'s service user).', ''),
    password: str('Password of [service_user] username.', ''),
    project_name: str('Project the service user\'s token is scoped to.', 'service'),
    user_domain_name: str('Domain of the service user.', 'Default'),
    project_domain_name: str('Domain of the service user\'s project.', 'Default'),
  },
} as const;

type Options = typeof OPTIONS;
export type SectionName = keyof Options;
type ValueOf<S> = S extends OptionSpec<infer T> ? T : never;

/**
 * The options of each image store's own section (`[fast]` for `enabled_backends = fast:file`), as
 * glance_store reads them; a store without a section takes the defaults.
 */
export const STORE_OPTIONS = {
  filesystem_store_datadir: str('Directory holding the store\'s image data (default: `<state_dir>/image-stores/<id>`).', (r) =>
    join(stateDir(r), 'image-stores', String(r['store']?.['id'])),
  ),
  store_description: str('What /v2/info/stores says of the store (empty: nothing).', ''),
} as const;

export type StoreOptions = { readonly [K in keyof typeof STORE_OPTIONS]: ValueOf<(typeof STORE_OPTIONS)[K]> };

/** The resolved configuration: every option present and typed, and each image store's section by store id. */
export type NimbusConfig = {
  readonly [S in SectionName]: { readonly [K in keyof Options[S]]: ValueOf<Options[S][K]> };
} & { readonly stores: Readonly<Record<string, StoreOptions>> };
