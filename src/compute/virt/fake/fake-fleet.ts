import type { ComputeDriverFactory } from '../driver.js';
import { FakeDriver } from './fake-driver.js';
import type { FakeHostSize } from './fake-host-profile.js';
import { FakeHostRegistry } from './fake-host-registry.js';

export interface FakeFleetOptions {
  /** How many hosts: named `compute-1` … `compute-N`. */
  readonly hosts: number;
  readonly size?: FakeHostSize;
}

/**
 * N independent fake hosts sharing one registry, so guests can migrate between them: what
 * `--compute-hosts N` and the scale tests run. Hosts share their profile, so 10,000 are cheap.
 */
export class FakeHypervisorFleet {
  readonly registry = new FakeHostRegistry();
  readonly drivers: readonly FakeDriver[];

  constructor({ hosts, size }: FakeFleetOptions) {
    const drivers: FakeDriver[] = [];
    for (let index = 1; index <= hosts; index += 1) {
      drivers.push(new FakeDriver({ host: fakeHostName(index), registry: this.registry, ...(size === undefined ? {} : { size }) }));
    }
    this.drivers = drivers;
  }

  /** The driver of a host in this fleet, or undefined. */
  driver(host: string): FakeDriver | undefined {
    return this.registry.lookup(host);
  }
}

export function fakeHostName(index: number): string {
  return `compute-${index}`;
}

/** Fake hosts made one by one as their agents start, sharing one registry so guests can migrate between them. */
export function fakeDriverFactory(size?: FakeHostSize): ComputeDriverFactory {
  const registry = new FakeHostRegistry();
  return (host) => new FakeDriver({ host, registry, ...(size === undefined ? {} : { size }) });
}
