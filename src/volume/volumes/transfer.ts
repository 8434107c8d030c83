/** Cinder's volume transfer: a pending offer of a volume to whichever project presents its auth key. */
export interface Transfer {
  readonly id: string;
  readonly volumeId: string;
  /** The volume's project when the offer was made. */
  readonly sourceProjectId: string;
  readonly name: string | null;
  readonly salt: string;
  /** Hex HMAC-SHA256 of the auth key under the salt; the key itself is shown once and not kept. */
  readonly cryptHash: string;
  /** 3.55: the volume's snapshots stay with the donor. */
  readonly noSnapshots: boolean;
  readonly createdAt: Date;
}
