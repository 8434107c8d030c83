/**
 * A stand-in for a guest, for tests and benchmarks: a network namespace whose `eth0` (with the
 * port's MAC) is the far end of a veth pair whose near end is named like the port's tap, so
 * plugPort finds it as it finds the tap QEMU made. It asks for its address with busybox's udhcpc,
 * as the nimbus-tiny guest does. Traffic never leaves the namespaces and bridges the test made.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { PortSpec } from '../../datapath-spec.js';
import { tapName } from '../../device-names.js';
import { ip, run, tryRun } from '../exec.js';

/** udhcpc's event script: the leased address (replacing only IPv4 ones: the link-local IPv6 address stays, as on a real guest), the router as default route, classless static routes (option 121: the metadata route). */
const UDHCPC_SCRIPT = `#!/bin/sh
case "$1" in
  bound|renew)
    ip -4 addr flush dev "$interface"
    ip addr add "$ip/$mask" dev "$interface"
    [ -n "$router" ] && ip route replace default via "\${router%% *}" dev "$interface"
    echo "$ip $dns" > "$LEASE_FILE"
    set -- $staticroutes
    while [ $# -ge 2 ]; do
      if [ "$1" = 0.0.0.0/0 ]; then ip route replace default via "$2" dev "$interface"; else ip route replace "$1" via "$2" dev "$interface"; fi
      shift 2
    done
    ;;
esac
exit 0
`;

export interface GuestNamespace {
  readonly namespace: string;
  /** Runs DHCP on eth0 and returns the address it was given. */
  dhcp(): Promise<string>;
  /** The DNS servers the last DHCP lease named. */
  dnsServers(): Promise<string[]>;
  /** Sets eth0's address by hand (`address/prefix`), replacing what it had of that family (the link-local IPv6 address stays). */
  setAddress(cidr: string): Promise<void>;
  /** Adds a default route (for guests configured by hand). */
  setDefaultRoute(via: string): Promise<void>;
  /** One echo request: whether its reply came within 2 s. */
  ping(address: string): Promise<boolean>;
  /** Up to three pings (neighbour resolution may still be retrying after an earlier drop): whether one was answered. */
  reaches(address: string): Promise<boolean>;
  /** Pings every 0.2 s until stopped; `replies()` counts the answers so far. */
  pingContinuously(address: string): { replies(): number; stop(): Promise<void> };
  /** Accepts one TCP connection on the port (and closes it at once); the returned function stops waiting. */
  serveTcpOnce(port: number): Promise<() => Promise<void>>;
  /** Whether a TCP connection to the address and port opens within 2 s. */
  connectTcp(address: string, port: number): Promise<boolean>;
  /** Answers every UDP datagram on the port with itself until stopped; `received()` counts them so far. */
  echoUdp(port: number): Promise<{ received(): number; stop(): Promise<void> }>;
  /** Sends one UDP datagram from the source port (so a test chooses the whole flow) and tells whether its answer came within 1.5 s. */
  sendUdp(address: string, port: number, sourcePort: number): Promise<boolean>;
  exec(command: string, args: readonly string[]): Promise<string>;
  dispose(): Promise<void>;
}

/** A namespace on a port; `tapDevice` overrides the near end's name (a host on a bridge that is no port). */
export async function guestNamespace(port: Pick<PortSpec, 'id' | 'mac_address'>, options: { readonly tapDevice?: string; readonly mtu?: number } = {}): Promise<GuestNamespace> {
  const namespace = `nbg-${randomBytes(5).toString('hex')}`;
  const dir = await mkdtemp(join(tmpdir(), 'nimbus-guest-'));
  const script = join(dir, 'udhcpc.sh');
  const leaseFile = join(dir, 'lease');
  const near = options.tapDevice ?? tapName(port.id);
  const guest: GuestNamespace = {
    namespace,
    async dhcp() {
      await writeFile(script, UDHCPC_SCRIPT.replace('$LEASE_FILE', leaseFile));
      await chmod(script, 0o755);
      await run('busybox', ['udhcpc', '-i', 'eth0', '-n', '-q', '-f', '-t', '10', '-T', '1', '-O', 'staticroutes', '-s', script], { namespace });
      return (await readFile(leaseFile, 'utf8')).split(' ')[0] ?? '';
    },
    async dnsServers() {
      return (await readFile(leaseFile, 'utf8')).trim().split(' ').slice(1);
    },
    async setAddress(cidr) {
      await ip('-n', namespace, ...(cidr.includes(':') ? ['-6', 'addr', 'flush', 'dev', 'eth0', 'scope', 'global'] : ['-4', 'addr', 'flush', 'dev', 'eth0']));
      await ip('-n', namespace, 'addr', 'add', cidr, 'dev', 'eth0', ...(cidr.includes(':') ? ['nodad'] : []));
    },
    async setDefaultRoute(via) {
      await ip('-n', namespace, 'route', 'replace', 'default', 'via', via);
    },
    ping: (address) => tryRun('busybox', [address.includes(':') ? 'ping6' : 'ping', '-c', '1', '-W', '2', address], { namespace }),
    async reaches(address) {
      for (let attempt = 0; attempt < 3; attempt += 1) if (await guest.ping(address)) return true;
      return false;
    },
    pingContinuously(address) {
      const pinger = spawn('ip', ['netns', 'exec', namespace, 'busybox', 'ping', '-i', '0.2', address], { stdio: ['ignore', 'pipe', 'ignore'] });
      let output = '';
      pinger.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
      return {
        replies: () => output.split('\n').filter((line) => line.includes('bytes from')).length,
        async stop() {
          if (pinger.exitCode !== null || pinger.signalCode !== null) return;
          const exited = once(pinger, 'exit');
          pinger.kill('SIGTERM');
          await exited;
        },
      };
    },
    async serveTcpOnce(port) {
      const server = spawn('ip', ['netns', 'exec', namespace, 'busybox', 'nc', '-l', '-p', String(port), '-e', '/bin/true'], { stdio: 'ignore' });
      // Listening takes a moment; there is nothing to wait on but the socket table.
      for (let waited = 0; waited < 2000; waited += 20) {
        if ((await run('ss', ['-Hltn', `sport = :${port}`], { namespace })).trim() !== '') break;
        await sleep(20);
      }
      return async () => {
        if (server.exitCode !== null || server.signalCode !== null) return;
        const exited = once(server, 'exit');
        server.kill('SIGTERM');
        await exited;
      };
    },
    connectTcp: (address, port) => tryRun('busybox', ['nc', '-w', '2', address, String(port)], { namespace }),
    async echoUdp(port) {
      // busybox nc has no UDP: Node's dgram, run inside the namespace.
      const script = `const s = require('dgram').createSocket('udp4'); s.on('message', (m, r) => { console.log('got'); s.send(m, r.port, r.address); }); s.bind(${port}, () => console.log('ready'));`;
      const server = spawn('ip', ['netns', 'exec', namespace, process.execPath, '-e', script], { stdio: ['ignore', 'pipe', 'ignore'] });
      let output = '';
      server.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
      for (let waited = 0; waited < 5000 && !output.includes('ready'); waited += 20) await sleep(20);
      return {
        received: () => output.split('\n').filter((line) => line === 'got').length,
        async stop() {
          if (server.exitCode !== null || server.signalCode !== null) return;
          const exited = once(server, 'exit');
          server.kill('SIGTERM');
          await exited;
        },
      };
    },
    async sendUdp(address, port, sourcePort) {
      const script = `const s = require('dgram').createSocket('udp4'); setTimeout(() => { console.log('none'); process.exit(0); }, 1500); s.on('message', () => { console.log('reply'); process.exit(0); }); s.bind(${sourcePort}, () => s.send('probe', ${port}, '${address}'));`;
      return (await run(process.execPath, ['-e', script], { namespace })).trim() === 'reply';
    },
    exec: (command, args) => run(command, args, { namespace }),
    async dispose() {
      // The veth pair goes with the namespace.
      await tryRun('ip', ['netns', 'delete', namespace]);
      await tryRun('ip', ['link', 'del', 'dev', near]);
      await rm(dir, { recursive: true, force: true });
    },
  };
  try {
    await ip('netns', 'add', namespace);
    const mtu = String(options.mtu ?? 1500);
    await ip('link', 'add', near, 'mtu', mtu, 'type', 'veth', 'peer', 'name', 'eth0', 'mtu', mtu, 'address', port.mac_address, 'netns', namespace);
    await ip('link', 'set', 'dev', near, 'up');
    await ip('-n', namespace, 'link', 'set', 'dev', 'lo', 'up');
    await ip('-n', namespace, 'link', 'set', 'dev', 'eth0', 'up');
    return guest;
  } catch (error) {
    await guest.dispose();
    throw error;
  }
}
