/**
 * The metadata proxy in a `qdhcp-`/`qrouter-` namespace: guests' requests to
 * 169.254.169.254:80 (IPv4) and fe80::a9fe:a9fe:80 (IPv6, on their link) go to the metadata
 * agent's unix socket on the host (a unix socket is reachable from any network namespace), with
 * the network or router it came through named in a header the guest cannot set. In a DHCP
 * namespace the proxy holds both addresses' port 80 itself (the IPv6 one on the DHCP device, as
 * Neutron's DHCP agent binds it); in a router's it listens on port 9697 (IPv4 and IPv6), where
 * the router's nftables redirect what its internal ends receive for either address's port 80
 * (Neutron's L3 agent, see l3/router-nat.ts).
 *
 * It is haproxy, as in Neutron, rather than a Node script: one small C daemon per network
 * (a few MB where a Node process takes tens), one an operator already knows, which takes its
 * pid file and daemonises like dnsmasq, and so also outlives an agent restart.
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { getLogger } from '../../../../common/logging/logger.js';
import { runningPid, stopDaemon } from '../daemons.js';
import { run } from '../exec.js';

const LOG = getLogger('nimbus.network.agent.metadata_proxy');

export const METADATA_ADDRESS = '169.254.169.254';
export const METADATA_CIDR = `${METADATA_ADDRESS}/32`;
/** Where IPv6 guests find it (Neutron's METADATA_V6_IP): a link-local address, on each link the proxy serves. */
export const METADATA_V6_ADDRESS = 'fe80::a9fe:a9fe';
export const METADATA_V6_CIDR = `${METADATA_V6_ADDRESS}/64`;
const METADATA_PORT = 80;
/** Where a router namespace's proxy listens (Neutron's metadata_port). */
export const ROUTER_METADATA_PORT = 9697;

/** Where the proxy serves: a network's DHCP namespace (on its DHCP device) or a router's namespace. */
export type ProxyScope = { readonly kind: 'network'; readonly id: string; readonly namespace: string; readonly device: string } | { readonly kind: 'router'; readonly id: string; readonly namespace: string };

interface ProxyFiles {
  readonly dir: string;
  readonly config: string;
  readonly pid: string;
}

/** Neutron's haproxy configuration for the metadata proxy, without syslog (the agent logs each request). */
export function haproxyConfig(scope: ProxyScope, socketPath: string, pidFile: string, ipv6: boolean): string {
  const idHeader = scope.kind === 'network' ? 'X-Neutron-Network-ID' : 'X-Neutron-Router-ID';
  return [
    'global',
    '    maxconn     1024',
    `    pidfile     ${pidFile}`,
    '    daemon',
    '',
    'defaults',
    '    mode http',
    '    option http-server-close',
    '    option forwardfor',
    '    retries                 3',
    '    timeout http-request    30s',
    '    timeout connect         30s',
    '    timeout client          32s',
    '    timeout server          32s',
    '    timeout http-keep-alive 30s',
    '',
    'listen listener',
    ...(scope.kind === 'network' ? [`    bind ${METADATA_ADDRESS}:${METADATA_PORT}`] : [`    bind 0.0.0.0:${ROUTER_METADATA_PORT}`]),
    ...(!ipv6 ? [] : scope.kind === 'network' ? [`    bind ${METADATA_V6_ADDRESS}:${METADATA_PORT} interface ${scope.device}`] : [`    bind :::${ROUTER_METADATA_PORT} v6only`]),
    `    server metadata ${socketPath}`,
    // The guest names neither the network nor its own address: what it sends is dropped, forwardfor adds the real one.
    '    http-request del-header X-Neutron-Network-ID',
    '    http-request del-header X-Neutron-Router-ID',
    '    http-request del-header X-Forwarded-For',
    `    http-request set-header ${idHeader} ${scope.id}`,
    '',
  ].join('\n');
}

/** Neutron's netutils.is_ipv6_enabled: a host booted without IPv6 (or with it off by default) serves IPv4 guests only. */
async function ipv6Enabled(): Promise<boolean> {
  return (await readFile('/proc/sys/net/ipv6/conf/default/disable_ipv6', 'utf8').catch(() => '1')).trim() === '0';
}

export class MetadataProxies {
  #ipv6: Promise<boolean> | undefined;

  constructor(
    private readonly stateDir: string,
    private readonly socketPath: string,
  ) {}

  /** Whether the proxies also serve fe80::a9fe:a9fe (asked once). */
  ipv6(): Promise<boolean> {
    this.#ipv6 ??= ipv6Enabled();
    return this.#ipv6;
  }

  private files(id: string): ProxyFiles {
    const dir = join(this.stateDir, 'metadata-proxy', id);
    return { dir, config: join(dir, 'haproxy.cfg'), pid: join(dir, 'pid') };
  }

  /**
   * The proxy runs in the scope's namespace (which holds its addresses already); started once,
   * kept while it runs with the same configuration (one from an earlier Nimbus, without the
   * IPv6 address, is restarted).
   */
  async ensure(scope: ProxyScope): Promise<void> {
    const files = this.files(scope.id);
    const config = haproxyConfig(scope, this.socketPath, files.pid, await this.ipv6());
    if ((await runningPid(files.pid, files.config)) !== undefined) {
      if ((await readFile(files.config, 'utf8').catch(() => '')) === config) return;
      await stopDaemon(files.pid, files.config);
    }
    await mkdir(files.dir, { recursive: true });
    await writeFile(files.config, config);
    // haproxy binds, then daemonises: a bind error is its exit status, with the reason on stderr.
    await run('haproxy', ['-q', '-f', files.config], { namespace: scope.namespace });
    LOG.info(`Started the metadata proxy for ${scope.kind} ${scope.id} in ${scope.namespace}`);
  }

  async running(id: string): Promise<boolean> {
    const files = this.files(id);
    return (await runningPid(files.pid, files.config)) !== undefined;
  }

  /** Ends the proxy and removes its files; nothing to do where none runs. */
  async remove(id: string): Promise<void> {
    const files = this.files(id);
    await stopDaemon(files.pid, files.config);
    await rm(files.dir, { recursive: true, force: true });
  }
}
