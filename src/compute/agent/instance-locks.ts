/** One operation at a time per instance (Nova's @synchronized(instance.uuid)): the driver relies on it. */
export class InstanceLocks {
  readonly #tails = new Map<string, Promise<unknown>>();

  run<T>(uuid: string, work: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(uuid) ?? Promise.resolve();
    const next = previous.then(work, work);
    const tail = next.then(
      () => undefined,
      () => undefined,
    );
    this.#tails.set(uuid, tail);
    void tail.then(() => {
      if (this.#tails.get(uuid) === tail) this.#tails.delete(uuid);
    });
    return next;
  }
}
