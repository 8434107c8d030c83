/**
 * What the compute agent tells a driver about a guest: named types rather than the dictionaries
 * Nova passes (instance, image_meta, network_info, block_device_info). The agent builds an
 * `InstanceSpec` from its records for every call; drivers keep no copy they must keep in sync.
 */

/** Disk formats Glance knows and a driver may accept or produce. */
export type DiskFormat = 'raw' | 'qcow2' | 'vmdk' | 'vdi' | 'vhd' | 'vhdx' | 'iso' | 'ami' | 'ari' | 'aki' | 'ploop';

export interface FlavorSpec {
  readonly id: string;
  readonly name: string;
  readonly vcpus: number;
  readonly memoryMb: number;
  readonly rootGb: number;
  readonly ephemeralGb: number;
  readonly swapMb: number;
  /** Nova's flavor extra specs (`hw:cpu_policy`, `quota:…`): free-form by design. */
  readonly extraSpecs: Readonly<Record<string, string>>;
}

/** The image a guest boots from (Nova's ImageMeta). */
export interface ImageMeta {
  readonly id: string;
  readonly name: string;
  readonly diskFormat: DiskFormat;
  readonly containerFormat: string;
  readonly minDiskGb: number;
  readonly minRamMb: number;
  /** Glance's image properties (`hw_disk_bus`, `os_type`, …): free-form by design. */
  readonly properties: Readonly<Record<string, string>>;
}

export interface FixedIp {
  readonly address: string;
  readonly version: 4 | 6;
  readonly subnetId: string;
}

/** One virtual interface: a Neutron port as the hypervisor side needs it. */
export interface VifSpec {
  /** The port id. */
  readonly id: string;
  readonly networkId: string;
  readonly mac: string;
  /** Host bridge the tap device joins. */
  readonly bridge: string;
  /** Host-side tap device name (Nova: `tap` + the first 11 characters of the port id). */
  readonly devname: string;
  readonly mtu: number;
  readonly fixedIps: readonly FixedIp[];
}

/**
 * How the hypervisor reaches a volume (Cinder's connection_info, one variant per transport);
 * `multiattach`: other guests write the volume too (Nova stashes it in the connection_info).
 */
export type VolumeConnection = { readonly multiattach?: boolean } & (
  | { readonly driverVolumeType: 'file'; readonly path: string }
  | {
      readonly driverVolumeType: 'nbd';
      readonly host: string;
      readonly port: number;
      readonly exportName: string;
      /** TLS with this attachment's pre-shared key (Cinder's psk_identity, psk_key); absent: plain NBD. */
      readonly psk?: { readonly identity: string; readonly key: string };
    }
  | {
      readonly driverVolumeType: 'iscsi';
      readonly targetPortal: string;
      readonly targetIqn: string;
      readonly targetLun: number;
    }
);

/** A volume attached to the guest at a device name. */
export interface VolumeAttachment {
  readonly volumeId: string;
  /** Guest device name, e.g. `/dev/vdb`. */
  readonly mountpoint: string;
  readonly connection: VolumeConnection;
}

/** The guest's volumes (Nova's block_device_info). */
export interface BlockDeviceInfo {
  readonly rootDeviceName: string;
  /** The volume the guest boots from, at the root device name; absent: the root disk is the image's, local to the host. */
  readonly rootVolume?: VolumeAttachment;
  /** The other volumes, attached beside the root disk. */
  readonly volumes: readonly VolumeAttachment[];
}

/** The least a driver needs to find a guest it already holds. */
export interface InstanceRef {
  readonly uuid: string;
  /** Hypervisor-side name, Nova's `instance-%08x`. */
  readonly name: string;
}

/** Everything needed to build (or rebuild) a guest. */
export interface InstanceSpec extends InstanceRef {
  /** Guest hostname (Nova's sanitised display name). */
  readonly hostname: string;
  /** The server's name as the user gave it (Nova's display_name). */
  readonly displayName: string;
  readonly projectId: string;
  /** Position within its multi-create request (Nova's launch_index). */
  readonly launchIndex: number;
  readonly availabilityZone: string;
  readonly flavor: FlavorSpec;
  readonly image: ImageMeta;
  /** Base64 user data as the API received it, or null. */
  readonly userData: string | null;
  /** Name of the server's key pair (Nova's key_name), or null. */
  readonly keyName: string | null;
  /** Public key of the server's key pair, or null. */
  readonly keyData: string | null;
  /** Whether the guest gets a config drive holding its metadata (the server's config_drive). */
  readonly configDrive: boolean;
  /** Server metadata (user key/value pairs, as Nova's metadata service serves them). */
  readonly metadata: Readonly<Record<string, string>>;
  readonly network: readonly VifSpec[];
  readonly blockDevices: BlockDeviceInfo;
}
