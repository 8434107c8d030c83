import { FeatureNotSupported } from './errors.js';
import type { DiskFormat } from './instance-spec.js';

/**
 * What a driver can do (Nova's `capabilities` dict of `supports_*` flags, typed). A driver that
 * cannot do something says so here instead of offering a method that throws; the API turns a
 * false flag into 501 in one place, and the scheduler matches flags against requests.
 */
export interface DriverCapabilities {
  readonly supportsPause: boolean;
  readonly supportsSuspend: boolean;
  readonly supportsRescue: boolean;
  readonly supportsSnapshot: boolean;
  readonly supportsConsoleOutput: boolean;
  /** A graphical console over VNC (Nova's get_vnc_console): what `openstack console url show --novnc` needs. */
  readonly supportsVncConsole: boolean;
  /** Resize and cold migration (migrateDiskAndPowerOff → finishMigration → confirm / revert). */
  readonly supportsColdMigration: boolean;
  /** Resize onto the host the guest is on (Nova's `supports_migrate_to_same_host`). */
  readonly supportsMigrateToSameHost: boolean;
  readonly supportsLiveMigration: boolean;
  /** Live migration without shared instance storage (the disk is copied as the memory is). */
  readonly supportsBlockMigration: boolean;
  readonly supportsLiveMigrationAbort: boolean;
  readonly supportsLiveMigrationForceComplete: boolean;
  /** Rebuild on another host from shared instance storage after the source host died. */
  readonly supportsEvacuate: boolean;
  readonly supportsAttachVolume: boolean;
  /** Ports hot-plugged into and out of a guest (os-interface; `openstack server add/remove port`). */
  readonly supportsAttachInterface: boolean;
  /** Image disk formats spawn accepts (Nova's `supports_image_type_*`). */
  readonly imageFormats: readonly DiskFormat[];
}

/** The names of the yes/no capabilities (everything but `imageFormats`). */
export type CapabilityFlag = {
  [K in keyof DriverCapabilities]: DriverCapabilities[K] extends boolean ? K : never;
}[keyof DriverCapabilities];

/** What a host reported of its driver's flags (none, before its first report or from an older agent). */
export type ReportedCapabilities = Partial<Readonly<Record<CapabilityFlag, boolean>>>;

/**
 * The one turn of a missing capability into Nova's 501 (raise_feature_not_supported): throws
 * FeatureNotSupported when the flag is reported false; a flag not reported lets the driver decide.
 */
export function requireCapability(capabilities: ReportedCapabilities | undefined, flag: CapabilityFlag): void {
  if (capabilities?.[flag] === false) throw new FeatureNotSupported();
}
