import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** A host device's counters (/sys/class/net/<dev>/statistics). */
export interface NetdevCounters {
  readonly rxBytes: number;
  readonly rxPackets: number;
  readonly rxErrors: number;
  readonly rxDropped: number;
  readonly txBytes: number;
  readonly txPackets: number;
  readonly txErrors: number;
  readonly txDropped: number;
}

/** The counters of a host device, or undefined when it does not exist (an unplugged tap). */
export async function netdevCounters(devname: string): Promise<NetdevCounters | undefined> {
  const dir = join('/sys/class/net', devname, 'statistics');
  const read = async (file: string) => Number.parseInt(await readFile(join(dir, file), 'utf8').catch(() => ''), 10);
  const names = ['rx_bytes', 'rx_packets', 'rx_errors', 'rx_dropped', 'tx_bytes', 'tx_packets', 'tx_errors', 'tx_dropped'];
  const counts = await Promise.all(names.map(read));
  if (counts.some(Number.isNaN)) return undefined;
  const [rxBytes = 0, rxPackets = 0, rxErrors = 0, rxDropped = 0, txBytes = 0, txPackets = 0, txErrors = 0, txDropped = 0] = counts;
  return { rxBytes, rxPackets, rxErrors, rxDropped, txBytes, txPackets, txErrors, txDropped };
}
