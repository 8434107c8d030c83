import { randomUUID } from 'node:crypto';
import type { Database } from '../db/database.js';
import { fromDbTimestamp, toDbTimestamp } from '../db/timestamps.js';
import { NotFound } from '../errors/errors.js';
import { getLogger } from '../logging/logger.js';
import { ServiceStore, type ServiceRow } from './db/service-store.js';

const log = getLogger('nimbus.common.service');

/** Nova's `service_down_time` default: a service silent for longer reads as down. */
const DEFAULT_SERVICE_DOWN_TIME_SECONDS = 60;

/** Who a running service is: one row per (host, binary). */
export interface ServiceIdentity {
  /** The program: nova-compute, nova-conductor, nova-scheduler, nimbus-api … */
  readonly binary: string;
  readonly host: string;
  /** The bus topic it listens on. */
  readonly topic: string;
}

export interface ServiceRecord extends ServiceIdentity {
  readonly id: number;
  /** Nova's service uuid, the id the compute API shows from 2.53. */
  readonly uuid: string;
  readonly disabled: boolean;
  readonly disabledReason: string | null;
  readonly forcedDown: boolean;
  readonly reportCount: number;
  readonly lastSeenAt: Date | null;
  readonly createdAt: Date;
  readonly updatedAt: Date | null;
  /** Heard from within the down time, and not forced down by an operator. */
  readonly up: boolean;
}

export interface ServiceRegistryOptions {
  /** Seconds without a heartbeat after which a service is down (default 60, as Nova). */
  readonly serviceDownTimeSeconds?: number;
  /** The clock, injectable so tests can move time. */
  readonly now?: () => Date;
}

/** Stops a heartbeat started by `startHeartbeat`; resolves once any beat in flight has finished. */
export type StopHeartbeat = () => Promise<void>;

/**
 * The `services` table: which service runs where and whether it is alive. Services register at
 * start and heartbeat while running; `nimbus status`, the scheduler's ComputeFilter and Nova's
 * os-services read `list()`.
 */
export class ServiceRegistry {
  readonly #database: Database;
  readonly #rows: ServiceStore;
  readonly #downTimeMs: number;
  readonly #now: () => Date;

  constructor(database: Database, options: ServiceRegistryOptions = {}) {
    this.#database = database;
    this.#rows = new ServiceStore(database);
    this.#downTimeMs = (options.serviceDownTimeSeconds ?? DEFAULT_SERVICE_DOWN_TIME_SECONDS) * 1000;
    this.#now = options.now ?? (() => new Date());
  }

  /**
   * Records the service as running now: creates its row, or on a restart refreshes the existing
   * one (topic, last seen). An operator's disabled and forced-down flags survive restarts.
   */
  async register(service: ServiceIdentity): Promise<ServiceRecord> {
    try {
      return await this.#upsert(service);
    } catch (error) {
      // Two processes registering one (host, binary) at once: the loser's insert hits the
      // unique key, and its second try finds the row and updates it.
      if (!this.#database.isUniqueViolation(error)) throw error;
      return await this.#upsert(service);
    }
  }

  /** Marks the service alive now and counts the report. */
  async heartbeat(id: number): Promise<void> {
    if (!(await this.#rows.report(id, toDbTimestamp(this.#now())))) throw new NotFound(`Service ${id} could not be found.`);
  }

  /** Marks the services alive now and counts a report each; returns the ids that have no row (deleted meanwhile). */
  async heartbeatMany(ids: readonly number[]): Promise<number[]> {
    const found = new Set(await this.#rows.reportMany(ids, toDbTimestamp(this.#now())));
    return ids.filter((id) => !found.has(id));
  }

  /** Registered services, oldest first, optionally only those of one binary and/or host. */
  async list(filter: { readonly binary?: string; readonly host?: string } = {}): Promise<ServiceRecord[]> {
    const rows = await this.#rows.list(filter);
    const now = this.#now().getTime();
    return rows.map((row) => this.#toRecord(row, now));
  }

  /** One service by its integer id or its uuid; undefined when there is none. */
  async find(key: { readonly id: number } | { readonly uuid: string }): Promise<ServiceRecord | undefined> {
    const row = await this.#rows.find(key);
    return row === undefined ? undefined : this.#toRecord(row, this.#now().getTime());
  }

  /** An operator's flags (os-services update); absent fields stay as they are. */
  async setFlags(id: number, flags: { readonly disabled?: boolean; readonly disabledReason?: string | null; readonly forcedDown?: boolean }): Promise<void> {
    await this.#rows.update(id, {
      ...(flags.disabled === undefined ? {} : { disabled: flags.disabled }),
      ...(flags.disabledReason === undefined ? {} : { disabled_reason: flags.disabledReason }),
      ...(flags.forcedDown === undefined ? {} : { forced_down: flags.forcedDown }),
      updated_at: toDbTimestamp(this.#now()),
    });
  }

  delete(id: number): Promise<void> {
    return this.#rows.delete(id);
  }

  /**
   * Heartbeats every `intervalMs` until stopped. The timer does not keep the process alive. A
   * failing database is logged once when reports start failing and once when they recover,
   * not at every tick; a beat still running when the next is due makes that one skip.
   */
  startHeartbeat(id: number, intervalMs: number): StopHeartbeat {
    let inFlight: Promise<void> | undefined;
    let failing = false;
    const beat = async (): Promise<void> => {
      try {
        await this.heartbeat(id);
        if (failing) log.info(`Service ${id} is reporting its state again`);
        failing = false;
      } catch (error) {
        if (!failing) {
          const reason = error instanceof Error ? error.message : String(error);
          log.warning(`Service ${id} cannot report its state (retrying every ${intervalMs} ms): ${reason}`);
        }
        failing = true;
      }
    };
    const timer = setInterval(() => {
      if (inFlight !== undefined) return;
      inFlight = beat().finally(() => {
        inFlight = undefined;
      });
    }, intervalMs);
    timer.unref();
    return async () => {
      clearInterval(timer);
      await inFlight;
    };
  }

  async #upsert(service: ServiceIdentity): Promise<ServiceRecord> {
    const row = await this.#rows.upsert(service, randomUUID(), toDbTimestamp(this.#now()));
    return this.#toRecord(row, this.#now().getTime());
  }

  #toRecord(row: ServiceRow, nowMs: number): ServiceRecord {
    const lastSeenAt = row.last_seen_at === null ? null : fromDbTimestamp(row.last_seen_at);
    return {
      id: row.id,
      uuid: row.uuid ?? '',
      binary: row.binary,
      host: row.host,
      topic: row.topic,
      disabled: row.disabled,
      disabledReason: row.disabled_reason,
      forcedDown: row.forced_down,
      reportCount: row.report_count,
      lastSeenAt,
      createdAt: fromDbTimestamp(row.created_at),
      updatedAt: row.updated_at === null ? null : fromDbTimestamp(row.updated_at),
      up: !row.forced_down && lastSeenAt !== null && nowMs - lastSeenAt.getTime() <= this.#downTimeMs,
    };
  }
}
