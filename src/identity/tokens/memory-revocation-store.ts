import type { RevocationEvent, RevocationStore } from './revocation.js';

/** Revocation events in this process only: for tests and tools that have no database. */
export class MemoryRevocationStore implements RevocationStore {
  #events: RevocationEvent[] = [];

  async add(event: RevocationEvent): Promise<void> {
    this.#events.push(event);
  }

  async list(since?: Date): Promise<RevocationEvent[]> {
    return this.#events.filter((event) => since === undefined || event.issuedBefore.getTime() >= since.getTime());
  }

  async prune(before: Date): Promise<void> {
    this.#events = this.#events.filter((event) => event.issuedBefore.getTime() >= before.getTime());
  }
}
