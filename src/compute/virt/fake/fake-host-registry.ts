import type { FakeDriver } from './fake-driver.js';

/**
 * The fake hosts one process runs, by host name: how a fake migration reaches its destination,
 * so the instance really arrives there. One registry per fleet; a lone FakeDriver makes its own.
 */
export class FakeHostRegistry {
  readonly #hosts = new Map<string, FakeDriver>();

  register(driver: FakeDriver): void {
    if (this.#hosts.has(driver.host)) throw new Error(`A fake host named ${driver.host} is already registered.`);
    this.#hosts.set(driver.host, driver);
  }

  lookup(host: string): FakeDriver | undefined {
    return this.#hosts.get(host);
  }

  get size(): number {
    return this.#hosts.size;
  }
}
