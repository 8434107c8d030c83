/**
 * The VM's definition: what libvirt's domain XML is to Nova, kept as `definition.json` in the
 * instance directory. QEMU is (re)started from it alone, so an agent restart, a resume or an
 * incoming migration builds the same machine again (migration and restore need the identical
 * device model, hence the pinned machine type and stable device ids).
 */
import type { Accelerator } from '../host/accelerator.js';

export const DEFINITION_VERSION = 1;

/** Pinned, never `pc`: a saved state or a migration stream only loads into the same machine type. */
export const MACHINE_TYPE = 'pc-i440fx-7.2';

export interface DiskDefinition {
  /** The QMP node name of the format layer, and `<id>-dev` the device: stable across restarts. */
  readonly id: string;
  /** The file; for a disk over NBD, its `nbd://` address (what people read, QEMU opens `nbd`). */
  readonly path: string;
  /** Present: the disk is another host's NBD export rather than the file at `path`. */
  readonly nbd?: NbdDiskSource;
  readonly format: 'qcow2' | 'raw';
  /** What the guest reads in /sys/block/vdX/serial (Nova puts the volume id there). */
  readonly serial: string | null;
  readonly readOnly: boolean;
  /** A multiattach volume: other guests write it too (share-rw, so QEMU's image lock lets them). */
  readonly shared?: boolean;
}

/**
 * QEMU's NBD `reconnect-delay`: requests wait this long for a lost connection to come back rather
 * than fail at once, so the guest rides out its export being made again (a volume grown online,
 * a volume service restarted).
 */
export const NBD_RECONNECT_DELAY_SECONDS = 15;

/** An NBD export a disk is read and written through (a volume on another host). */
export interface NbdDiskSource {
  readonly host: string;
  readonly port: number;
  readonly exportName: string;
  /**
   * The tls-creds-psk client object `<disk id>-tls`: the directory QEMU reads `keys.psk` from
   * (this host's runtime dir; written before QEMU opens it), the identity and the key. Null: plain NBD.
   */
  readonly psk: { readonly dir: string; readonly identity: string; readonly key: string } | null;
}

/** A volume attached to the guest (Cinder's), after the image-backed disks. */
export interface VolumeDefinition {
  readonly volumeId: string;
  /** The device name Nova recorded for it (`/dev/vdb`); the guest names disks itself. */
  readonly mountpoint: string;
  readonly disk: DiskDefinition;
}

/** A NIC on a host tap device: a Neutron port as Nova's Linux bridge VIF type plugs it. */
export interface NicDefinition {
  /** The QMP id of the netdev, and `<id>-dev` the device's: stable across restarts and migrations. */
  readonly id: string;
  /** The Neutron port. */
  readonly portId: string;
  readonly mac: string;
  /** The host tap device QEMU opens by name, and the bridge it joins. */
  readonly devname: string;
  readonly bridge: string;
  readonly mtu: number;
}

export interface VmDefinition {
  readonly version: typeof DEFINITION_VERSION;
  readonly uuid: string;
  /** Nova's `instance-%08x`: the QEMU process name. */
  readonly name: string;
  readonly machine: string;
  readonly accelerator: Accelerator;
  readonly vcpus: number;
  readonly memoryMb: number;
  /** Local disk the flavor claims (root + ephemeral + swap), for the resource audit. */
  readonly localGb: number;
  /** In boot order: the first disk is the one the BIOS boots, unless there is a stable-device rescue disk. */
  readonly disks: readonly DiskDefinition[];
  /** A stable-device rescue's disk: after every other device (their addresses stay), and the one booted. */
  readonly stableRescueDisk?: DiskDefinition;
  /** Attached volumes, in attachment order. */
  readonly volumes: readonly VolumeDefinition[];
  /** In port order. A definition written before NICs existed has none (readDefinition fills in []). */
  readonly nics: readonly NicDefinition[];
  /**
   * `vnc`: a VGA card whose screen QEMU serves over VNC on the runtime dir's socket (the console
   * proxy's way in); `none`: no display device. Part of the machine, so a saved state or a
   * migration keeps it; a definition written before consoles existed has none.
   */
  readonly display: VmDisplay;
}

export type VmDisplay = 'vnc' | 'none';

/** Where the process's files live; all in the instance directory. */
export interface VmRuntimePaths {
  readonly qmpSocket: string;
  readonly consoleSocket: string;
  /** QEMU's VNC server (guests with the `vnc` display). */
  readonly vncSocket: string;
  readonly consoleLog: string;
  readonly pidFile: string;
}

export interface VmLaunch {
  /** A migration stream to load instead of booting (`exec:cat state`, `tcp:host:port`, `defer`). */
  readonly incoming: string | null;
  /** Start with the CPUs stopped (`-S`): for an incoming migration the driver continues itself. */
  readonly startPaused: boolean;
}

export const BOOT: VmLaunch = { incoming: null, startPaused: false };
