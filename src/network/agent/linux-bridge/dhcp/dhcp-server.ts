/**
 * A network's DHCP server, as Neutron's DHCP agent runs it: dnsmasq in the namespace
 * `qdhcp-<net>`, listening on `ns-<port>`, whose veth peer `tap<port>` is a port of the network's
 * bridge; with metadata on and a subnet whose guests reach it here (an isolated one, see
 * dhcpMetadataSubnets), `ns-<port>` also holds 169.254.169.254 and a proxy serves it.
 * dnsmasq runs as a daemon with a pid file, so it outlives an agent restart; a changed port list
 * is a rewritten hosts file and SIGHUP, a changed subnet list a restart.
 */
import { chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { getLogger } from '../../../../common/logging/logger.js';
import { onSubnet } from '../../cidr.js';
import { dhcpMetadataSubnets, type NetworkSpec, type PortSpec } from '../../datapath-spec.js';
import { dhcpDevice, dhcpNamespace, tapName } from '../../device-names.js';
import { runningPid, stopDaemon } from '../daemons.js';
import { run } from '../exec.js';
import { METADATA_CIDR, METADATA_V6_CIDR, type MetadataProxies } from '../metadata/metadata-proxy.js';
import { attach, deleteLink, ensureVethPair } from '../links.js';
import { deleteNamespace, ensureNamespace, setDeviceAddresses } from '../namespaces.js';
import { dnsmasqArgs, dnsmasqFiles, hostsFile, optionsFile, type DnsmasqFiles } from './dnsmasq-config.js';

const LOG = getLogger('nimbus.network.agent.dhcp');
async function readText(path: string): Promise<string | undefined> {
  return readFile(path, 'utf8').catch(() => undefined);
}

/** dnsmasq's command line names its pid file. */
const pidOf = (files: DnsmasqFiles): Promise<number | undefined> => runningPid(files.pid, `--pid-file=${files.pid}`);
const stop = (files: DnsmasqFiles): Promise<void> => stopDaemon(files.pid, `--pid-file=${files.pid}`);

/** The DHCP namespaces' part in the metadata service: the proxies, and whether every subnet's guests are sent here (force_metadata) or only isolated ones'. */
export interface DhcpMetadata {
  readonly proxies: MetadataProxies;
  readonly force: boolean;
}

export class DhcpServers {
  /** `bridgeOf`: the bridge of a wired network; `metadata`: DHCP namespaces serve 169.254.169.254 through a proxy (Neutron's enable_isolated_metadata). */
  constructor(
    private readonly stateDir: string,
    private readonly bridgeOf: (networkId: string) => string,
    private readonly metadata?: DhcpMetadata,
  ) {}

  private files(networkId: string): DnsmasqFiles {
    return dnsmasqFiles(join(this.stateDir, 'dhcp', networkId));
  }

  /** The namespace, its bridge port, dnsmasq with the network's subnets and these ports' host entries. */
  async ensure(network: NetworkSpec, ports: Iterable<PortSpec>): Promise<void> {
    const port = network.dhcp_port;
    if (port === null) return this.remove(network.id);
    const namespace = dhcpNamespace(network.id);
    const device = dhcpDevice(port.id);
    await ensureNamespace(namespace);
    await ensureVethPair(tapName(port.id), device, namespace, port.mac_address, network.mtu);
    await attach(tapName(port.id), this.bridgeOf(network.id), network.mtu);
    const subnets = new Map(network.subnets.map((subnet) => [subnet.id, subnet]));
    const addresses = port.fixed_ips.flatMap((ip) => {
      const subnet = subnets.get(ip.subnet_id);
      return subnet === undefined ? [] : [onSubnet(ip.ip_address, subnet.cidr)];
    });
    const metadataSubnets = this.metadata === undefined ? [] : dhcpMetadataSubnets(network, this.metadata.force);
    const metadataAddresses = metadataSubnets.length === 0 || this.metadata === undefined ? [] : [METADATA_CIDR, ...((await this.metadata.proxies.ipv6()) ? [METADATA_V6_CIDR] : [])];
    await setDeviceAddresses(namespace, device, [...addresses, ...metadataAddresses], [METADATA_V6_CIDR]);
    await run('ip', ['-n', namespace, 'link', 'set', 'dev', device, 'up']);

    const files = this.files(network.id);
    // Readable by anyone, as Neutron's: dnsmasq reads them again on every SIGHUP.
    await mkdir(files.dir, { recursive: true, mode: 0o755 });
    await chmod(files.dir, 0o755);
    await writeFile(files.hosts, hostsFile(network, ports), { mode: 0o644 });
    await writeFile(files.options, optionsFile(network, metadataSubnets), { mode: 0o644 });
    const args = dnsmasqArgs(network, device, files);
    const argsFile = join(files.dir, 'args');
    const pid = await pidOf(files);
    if (pid !== undefined && (await readText(argsFile)) === JSON.stringify(args)) {
      process.kill(pid, 'SIGHUP');
    } else {
      await stop(files);
      await writeFile(argsFile, JSON.stringify(args));
      // dnsmasq daemonises once it listens; an error ends it with a message on stderr.
      await run('dnsmasq', args, { namespace });
      LOG.info(`Started DHCP for network ${network.id} in ${namespace}`);
    }
    if (metadataSubnets.length > 0) await this.metadata?.proxies.ensure({ kind: 'network', id: network.id, namespace, device });
    else await this.metadata?.proxies.remove(network.id);
  }

  async servesMetadata(networkId: string): Promise<boolean> {
    return (await this.metadata?.proxies.running(networkId)) === true;
  }

  /** Rewrites the hosts file and tells dnsmasq (SIGHUP); nothing to do where no server runs. */
  async reloadHosts(network: NetworkSpec, ports: Iterable<PortSpec>): Promise<void> {
    const files = this.files(network.id);
    const pid = await pidOf(files);
    if (pid === undefined) return;
    await writeFile(files.hosts, hostsFile(network, ports), { mode: 0o644 });
    process.kill(pid, 'SIGHUP');
  }

  async running(networkId: string): Promise<boolean> {
    return (await pidOf(this.files(networkId))) !== undefined;
  }

  /** Ends dnsmasq and removes its namespace (and with it the veth pair) and files. */
  async remove(networkId: string, dhcpPortId?: string): Promise<void> {
    const files = this.files(networkId);
    await stop(files);
    await this.metadata?.proxies.remove(networkId);
    await deleteNamespace(dhcpNamespace(networkId));
    if (dhcpPortId !== undefined) await deleteLink(tapName(dhcpPortId));
    await rm(files.dir, { recursive: true, force: true });
  }
}
