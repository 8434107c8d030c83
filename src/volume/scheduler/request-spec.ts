/** What a volume placement asks of a backend (Cinder's request_spec + filter_properties). */
export interface VolumeRequestSpec {
  readonly volumeId: string;
  /** GiB the backend must find room for (an extend: the growth only). */
  readonly sizeGb: number;
  /** The zone asked for; any when absent. */
  readonly availabilityZone?: string;
  /** The volume type's extra specs, matched against the backend's capabilities. */
  readonly extraSpecs: Readonly<Record<string, string>>;
  /** Only this backend (`host@backend#pool`) may take it: a volume from a snapshot or a clone lives with its source; an extend stays. */
  readonly onlyBackend?: string;
}
