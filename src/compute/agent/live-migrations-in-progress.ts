/**
 * The live migrations running from this host, so abort and force-complete (which do not wait for
 * the instance's lock: the migration holds it) find them: still preparing (an abort is noted and
 * honoured before the copy starts, Nova's 2.65 abort in queue) or copying (the driver is told).
 */
export interface OutgoingMigration {
  readonly migrationId: number;
  copying: boolean;
  abortRequested: boolean;
}

export class LiveMigrationsInProgress {
  readonly #byInstance = new Map<string, OutgoingMigration>();

  begin(instanceUuid: string, migrationId: number): OutgoingMigration {
    const outgoing: OutgoingMigration = { migrationId, copying: false, abortRequested: false };
    this.#byInstance.set(instanceUuid, outgoing);
    return outgoing;
  }

  end(instanceUuid: string): void {
    this.#byInstance.delete(instanceUuid);
  }

  /** The migration of this instance with this id, if it runs from here. */
  find(instanceUuid: string, migrationId: number): OutgoingMigration | undefined {
    const outgoing = this.#byInstance.get(instanceUuid);
    return outgoing?.migrationId === migrationId ? outgoing : undefined;
  }
}
