/** Disk formats Glance accepts (the `disk_format` attribute). */
export const DISK_FORMATS = ['ami', 'ari', 'aki', 'vhd', 'vhdx', 'vmdk', 'raw', 'qcow2', 'vdi', 'iso', 'ploop'] as const;
export type DiskFormat = (typeof DISK_FORMATS)[number];

/** What reading the data's headers found. */
export interface InspectionResult {
  /** The format the bytes are in; `raw` when no known header matched. */
  readonly format: DiskFormat;
  /** The size of the disk the image describes, in bytes (the file size for raw and iso). */
  readonly virtualSize: number;
  /**
   * Why this image is unsafe to hand to a hypervisor, if it is: a qcow2 backing file or external
   * data file, a vmdk extent outside the image (the format-based file-read attack). Empty when safe.
   */
  readonly safetyProblems: readonly string[];
}

/** Reads a local file's format headers (random access: a few small reads, never the whole file). */
export type ImageInspector = (path: string) => Promise<InspectionResult>;
