import type { FlavorSpec, InstanceSpec, VolumeAttachment } from '../instance-spec.js';
import type { PowerState } from '../power-state.js';

/** What lives on a fake guest's disk, so it travels with cold and live migrations. */
export interface FakeDisk {
  /** Boots from this disk, as the tiny guest image counts them: a reboot adds one, a resume none. */
  bootCount: number;
}

/** One guest on a fake host. */
export interface FakeGuest {
  spec: InstanceSpec;
  powerState: PowerState;
  rescued: boolean;
  readonly disk: FakeDisk;
  readonly console: string[];
  /** By volume id. */
  readonly volumes: Map<string, VolumeAttachment>;
  /** Port ids of the interfaces plugged into their bridges. */
  readonly pluggedVifs: Set<string>;
}

/** A read-only view of a fake guest, for tests that look inside the hypervisor. */
export interface FakeGuestView {
  readonly uuid: string;
  readonly powerState: PowerState;
  readonly rescued: boolean;
  readonly bootCount: number;
  readonly flavor: FlavorSpec;
  /** Whether the guest was given a config drive (the fake builds none). */
  readonly configDrive: boolean;
  readonly volumeIds: readonly string[];
  /** The volume the guest boots from, if it is volume-backed. */
  readonly rootVolumeId: string | null;
  readonly pluggedVifIds: readonly string[];
}

// A serial log that grows with every boot is capped, as a real console ring buffer is.
const CONSOLE_LINES_KEPT = 200;

export function newGuest(spec: InstanceSpec, disk: FakeDisk, powerState: PowerState): FakeGuest {
  return {
    spec,
    powerState,
    rescued: false,
    disk,
    console: [],
    volumes: new Map(spec.blockDevices.volumes.map((volume) => [volume.volumeId, volume])),
    pluggedVifs: new Set(spec.network.map((vif) => vif.id)),
  };
}

export function writeConsole(guest: FakeGuest, line: string): void {
  guest.console.push(line);
  if (guest.console.length > CONSOLE_LINES_KEPT) guest.console.splice(0, guest.console.length - CONSOLE_LINES_KEPT);
}

/** The lines a boot prints: deterministic, with the ready line tests wait for. */
export function writeBootLines(guest: FakeGuest, host: string, bootImage: string): void {
  writeConsole(guest, `[    0.000000] Linux version 6.1.0-nimbus-fake (boot ${guest.disk.bootCount} of ${guest.spec.name})`);
  writeConsole(guest, `[    0.000000] Booting ${guest.spec.uuid} from image ${bootImage} on ${host}`);
  writeConsole(guest, `nimbus-fake: ${guest.spec.hostname} ready`);
}

export function viewGuest(guest: FakeGuest): FakeGuestView {
  return {
    uuid: guest.spec.uuid,
    powerState: guest.powerState,
    rescued: guest.rescued,
    bootCount: guest.disk.bootCount,
    flavor: guest.spec.flavor,
    configDrive: guest.spec.configDrive,
    volumeIds: [...guest.volumes.keys()],
    rootVolumeId: guest.spec.blockDevices.rootVolume?.volumeId ?? null,
    pluggedVifIds: [...guest.pluggedVifs],
  };
}

/** Disk space a guest takes on the host, as Nova counts it (swap rounded up to whole GB; a root volume takes none). */
export function guestDiskGb(spec: InstanceSpec): number {
  const { flavor } = spec;
  return (spec.blockDevices.rootVolume === undefined ? flavor.rootGb : 0) + flavor.ephemeralGb + Math.ceil(flavor.swapMb / 1024);
}
