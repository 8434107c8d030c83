/**
 * How the volume service hands a volume to a compute host that cannot open its local path
 * (Cinder's target helpers, cinder/volume/targets/): an export the host connects to over the
 * network, authenticated per attachment. Implementation: `nbd/` (qemu-storage-daemon, TLS-PSK).
 */

/** One host's export of one volume. */
export interface ExportRequest {
  readonly volumeId: string;
  /** The volume's bytes on this host (the backend's local path). */
  readonly path: string;
  /** The connector's host: each host gets its own export and key. */
  readonly host: string;
  readonly readOnly: boolean;
}

/** What the host needs to reach the export; `pskKey` is the attachment's secret (never logged). */
export interface TargetExport {
  readonly address: string;
  readonly port: number;
  readonly exportName: string;
  readonly pskIdentity: string;
  /** Hex, as QEMU's tls-creds-psk keys.psk holds it. */
  readonly pskKey: string;
}

export interface VolumeTarget {
  /**
   * Takes over the exports an earlier run of this node left: running ones are adopted, dead
   * ones whose volume is still there are started again with the same port and key (so a guest's
   * client reconnects), the others are forgotten.
   */
  recover(): Promise<void>;
  /** Exports the volume to the host; the same volume and host again answers the same export. Counter-action: removeExport. */
  ensureExport(request: ExportRequest): Promise<TargetExport>;
  /** Ends the host's export of the volume and cuts its connections; none is not an error. */
  removeExport(volumeId: string, host: string): Promise<void>;
  /** Ends every export of the volume (it is being deleted). */
  removeVolumeExports(volumeId: string): Promise<void>;
  /**
   * Serves the volume's exports again at its current size, after it grew: an NBD export's size is
   * fixed when it is made, so each is made again with the same port and key. Connected clients
   * lose their connection and must connect again to see the new size.
   */
  refreshVolumeExports(volumeId: string): Promise<void>;
}
