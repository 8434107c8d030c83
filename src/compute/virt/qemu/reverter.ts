import { getLogger } from '../../../common/logging/logger.js';

const LOG = getLogger('nimbus.compute.virt.qemu');

/**
 * Undo hooks for multi-step work (Incus's reverter): each step that changes something adds how
 * to take it back; on failure they run in reverse, and on success `success()` drops them.
 */
export class Reverter {
  readonly #hooks: (() => Promise<unknown>)[] = [];

  add(undo: () => Promise<unknown>): void {
    this.#hooks.push(undo);
  }

  success(): void {
    this.#hooks.length = 0;
  }

  /** Runs the hooks newest first; a failing hook is logged and the rest still run. */
  async revert(): Promise<void> {
    for (const undo of this.#hooks.splice(0).reverse()) {
      try {
        await undo();
      } catch (error) {
        LOG.warning('Undoing a step of a failed operation failed', { error });
      }
    }
  }

  /** Runs `work` with this reverter; if it throws, reverts and rethrows. */
  static async run<T>(work: (reverter: Reverter) => Promise<T>): Promise<T> {
    const reverter = new Reverter();
    try {
      const result = await work(reverter);
      reverter.success();
      return result;
    } catch (error) {
      await reverter.revert();
      throw error;
    }
  }
}
