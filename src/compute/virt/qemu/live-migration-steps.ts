/**
 * The driver's live-migration steps on both ends (Nova's pre_live_migration, live_migration,
 * post_live_migration_at_{destination,source}, rollback): the QMP side is in live-migration.ts.
 */
import { mkdir, rename, rm } from 'node:fs/promises';
import { getLogger } from '../../../common/logging/logger.js';
import type { DestroyOptions, LiveMigrationRequest, LiveMigrationResult, LiveMigrationTarget } from '../driver.js';
import { DriverOperationFailed, InstanceExists, InstanceNotFound } from '../errors.js';
import type { InstanceRef, InstanceSpec } from '../instance-spec.js';
import { PowerState } from '../power-state.js';
import { createOverlay } from '../../../common/disk/qemu-img.js';
import { type GuestHost, failing, monitorInState, rootBytes } from './guest-host.js';
import { unplugTaps } from './host/vifs.js';
import { createConfigDrive, definedTaps, instanceDefinition } from './instance-definition.js';
import { claimStorage, exists, removeInstanceFiles, writeDefinition } from './instance/instance-dir.js';
import { OutgoingMigration, awaitArrival, closeDiskExport, listenForIncoming, migrateOut } from './live-migration.js';
import { Reverter } from './reverter.js';

const LOG = getLogger('nimbus.compute.virt.qemu.driver');

export class LiveMigrationSteps {
  readonly #host: GuestHost;
  readonly #migrationAddress: string;
  /** Live migrations leaving this host, by uuid: what abort and force-complete act on. */
  readonly #outgoing = new Map<string, OutgoingMigration>();

  constructor(host: GuestHost, migrationAddress: string) {
    this.#host = host;
    this.#migrationAddress = migrationAddress;
  }

  async pre(instance: InstanceSpec, request: LiveMigrationRequest): Promise<LiveMigrationTarget> {
    const { guests, baseImages, accelerator } = this.#host;
    const dir = guests.dir(instance.uuid);
    if (await exists(dir.definition)) throw new InstanceExists(instance.uuid);
    // Without a block migration the guest's disk must already be here, on storage shared with the source;
    // a volume-backed guest's root disk is its volume, reached from every host.
    const volumeBacked = instance.blockDevices.rootVolume !== undefined;
    const localDir = volumeBacked && !request.blockMigration && !(await exists(dir.path));
    if (!request.blockMigration && !volumeBacked && !(await exists(dir.rootDisk))) {
      throw new DriverOperationFailed('preLiveMigration', `${this.#host.host} does not share instance storage with ${request.sourceHost}: the guest's disk is not here`, {
        instanceUuid: instance.uuid,
      });
    }
    return failing('preLiveMigration', instance, () =>
      Reverter.run(async (reverter) => {
        await mkdir(dir.runtime, { recursive: true });
        reverter.add(() => rm(dir.runtime, { recursive: true, force: true }));
        if (request.blockMigration) {
          const base = await baseImages.get(instance.image);
          await mkdir(dir.path, { recursive: true });
          reverter.add(() => rm(dir.path, { recursive: true, force: true }));
          await createOverlay(base.path, base.format, dir.rootDisk, rootBytes(instance, base.virtualSize));
          await createConfigDrive(instance, dir);
        } else if (localDir) {
          // Instance storage not shared with the source: the guest's directory (and config drive) is made here.
          await mkdir(dir.path, { recursive: true });
          reverter.add(() => rm(dir.path, { recursive: true, force: true }));
          await createConfigDrive(instance, dir);
        }
        const definition = instanceDefinition(instance, dir, accelerator);
        await writeDefinition(dir.incomingDefinition, definition);
        reverter.add(() => unplugTaps(definition.nics.map((nic) => nic.devname)));
        const monitor = await guests.start(dir, definition, { incoming: 'defer', startPaused: false });
        reverter.add(() => guests.kill(instance.uuid));
        const endpoints = await listenForIncoming(monitor, this.#migrationAddress, request.blockMigration);
        return { host: this.#host.host, blockMigration: request.blockMigration, ...endpoints };
      }),
    );
  }

  async migrate(instance: InstanceRef, target: LiveMigrationTarget): Promise<LiveMigrationResult> {
    const { guests } = this.#host;
    const monitor = await monitorInState(guests, instance, 'live-migrate', [PowerState.RUNNING, PowerState.PAUSED]);
    const dir = guests.dir(instance.uuid);
    const control = new OutgoingMigration(monitor);
    this.#outgoing.set(instance.uuid, control);
    try {
      const result = await failing('liveMigration', instance, () => migrateOut(monitor, target, control));
      if (result === 'completed') {
        // The guest runs on the destination now: this host no longer defines it, its disk waits for postAtSource.
        await guests.kill(instance.uuid);
        await unplugTaps(await definedTaps(dir));
        await rm(dir.definition, { force: true });
        LOG.info(`Live migration to ${target.host} completed`, { instance: instance.uuid });
      }
      return result;
    } finally {
      this.#outgoing.delete(instance.uuid);
    }
  }

  async abort(instance: InstanceRef): Promise<void> {
    await failing('liveMigrationAbort', instance, () => this.#outgoingOf(instance, 'liveMigrationAbort').abort());
  }

  async forceComplete(instance: InstanceRef): Promise<void> {
    await failing('liveMigrationForceComplete', instance, () => this.#outgoingOf(instance, 'liveMigrationForceComplete').forceComplete());
  }

  async postAtDestination(instance: InstanceSpec): Promise<void> {
    const { guests } = this.#host;
    const dir = guests.dir(instance.uuid);
    if (!(await exists(dir.incomingDefinition))) {
      if (await exists(dir.definition)) return;
      throw new InstanceNotFound(instance.uuid);
    }
    await failing('postLiveMigrationAtDestination', instance, async () => {
      const monitor = await guests.monitor(instance.uuid);
      if (monitor === undefined) throw new Error('the incoming QEMU is gone');
      await awaitArrival(monitor);
      await closeDiskExport(monitor);
      await claimStorage(dir, this.#host.host);
      await rename(dir.incomingDefinition, dir.definition);
    });
  }

  async postAtSource(instance: InstanceSpec): Promise<void> {
    const dir = this.#host.guests.dir(instance.uuid);
    // Still defined here means the guest did not leave: nothing of it is removed.
    if (await exists(dir.definition)) return;
    // On shared storage the destination claimed the disk: only this host's runtime files go.
    await removeInstanceFiles(dir, this.#host.host);
  }

  async rollbackAtDestination(instance: InstanceSpec, options: DestroyOptions): Promise<void> {
    const { guests } = this.#host;
    const dir = guests.dir(instance.uuid);
    if (await exists(dir.definition)) return;
    await failing('rollbackLiveMigrationAtDestination', instance, async () => {
      await guests.kill(instance.uuid);
      await unplugTaps(await definedTaps(dir));
      // The source still owns a shared disk (it never claimed here), so only a block migration's copy goes,
      // or a volume-backed guest's directory made here (one on shared storage is the source's: not removed).
      if (options.destroyDisks || instance.blockDevices.rootVolume !== undefined) await removeInstanceFiles(dir, this.#host.host);
      else await rm(dir.runtime, { recursive: true, force: true });
    });
  }

  #outgoingOf(instance: InstanceRef, operation: string): OutgoingMigration {
    const outgoing = this.#outgoing.get(instance.uuid);
    if (outgoing === undefined) throw new DriverOperationFailed(operation, 'no live migration in progress', { instanceUuid: instance.uuid });
    return outgoing;
  }
}
