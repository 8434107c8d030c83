import type { CompiledQuery, DatabaseConnection, Dialect, Driver, QueryCompiler, QueryResult, TransactionSettings } from 'kysely';
import { messageOf, ServiceUnavailable } from '../errors/errors.js';
import { getLogger } from '../logging/logger.js';

const log = getLogger('nimbus.common.db');

/**
 * The database cannot be reached (stopped, restarting, unreachable): every service answers 503 in
 * its own fault format, and the request may be retried once the database is back.
 */
export class DatabaseUnavailable extends ServiceUnavailable {
  constructor(options: { cause: unknown }) {
    super('The service is temporarily unavailable: its database cannot be reached. Please try again later.', options);
  }
}

/**
 * Watches one database's reachability for the process: the first failure of an outage is logged
 * once at ERROR, the first success after it once at INFO, whatever runs in between.
 */
export class OutageGuard {
  #down = false;
  /** Before the first success, a failure is the opener's to report (a start-up error), not an outage. */
  #reached = false;

  /** `stepTimeoutMs`: a step with no answer by then fails as the database being unreachable (0: never). */
  constructor(
    private readonly displayUrl: string,
    private readonly isConnectionFailure: (error: unknown) => boolean,
    private readonly stepTimeoutMs = 0,
  ) {}

  /**
   * Runs one driver step: a connection failure or no answer in time becomes DatabaseUnavailable; a
   * success ends an outage, unless the step `proves-nothing` about the server (it may not have asked it).
   */
  async run<T>(step: () => Promise<T>, success: 'ends-outage' | 'proves-nothing' = 'ends-outage'): Promise<T> {
    let result: T;
    try {
      result = await this.withDeadline(step());
    } catch (error) {
      if (!(error instanceof StepTimedOut) && !this.isConnectionFailure(error)) throw error;
      if (this.#reached && !this.#down) {
        this.#down = true;
        log.error(`Database ${this.displayUrl} is unreachable (${messageOf(error)}); requests fail with 503 until it is back`);
      }
      throw new DatabaseUnavailable({ cause: error });
    }
    if (success === 'proves-nothing') return result;
    this.#reached = true;
    if (this.#down) {
      this.#down = false;
      log.info(`Database ${this.displayUrl} is reachable again`);
    }
    return result;
  }

  /**
   * The step, or StepTimedOut once stepTimeoutMs passed without an answer. The step itself goes
   * on: its connection returns to the pool with it queued, and runs it (then the next caller's
   * statements) if the server answers again, as TCP delivers what a stalled link held.
   */
  private withDeadline<T>(step: Promise<T>): Promise<T> {
    if (this.stepTimeoutMs <= 0) return step;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new StepTimedOut(this.stepTimeoutMs)), this.stepTimeoutMs);
    });
    // A step that fails after its deadline has no one waiting: its rejection must not go unhandled.
    step.catch(() => undefined);
    return Promise.race([step, deadline]).finally(() => clearTimeout(timer));
  }
}

/** A database step with no answer within `[database] query_timeout`. */
class StepTimedOut extends Error {
  constructor(timeoutMs: number) {
    super(`no answer within ${timeoutMs / 1000} s ([database] query_timeout)`);
  }
}

class GuardedConnection implements DatabaseConnection {
  constructor(
    readonly inner: DatabaseConnection,
    private readonly guard: OutageGuard,
  ) {}

  executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    return this.guard.run(() => this.inner.executeQuery<R>(query));
  }

  streamQuery<R>(query: CompiledQuery, chunkSize?: number): AsyncIterableIterator<QueryResult<R>> {
    return this.inner.streamQuery<R>(query, chunkSize);
  }
}

function innerOf(connection: DatabaseConnection): DatabaseConnection {
  return connection instanceof GuardedConnection ? connection.inner : connection;
}

/** Every engine Nimbus runs on has savepoints; an engine without them says so when one is used. */
function noSavepoints(): Error {
  return new Error('This database engine has no savepoints');
}

/** The engine's driver with every step run through the guard; transactions and savepoints as the engine does them. */
class GuardedDriver implements Driver {
  constructor(
    private readonly inner: Driver,
    private readonly guard: OutageGuard,
  ) {}

  savepoint(connection: DatabaseConnection, name: string, compile: QueryCompiler['compileQuery']): Promise<void> {
    return this.guard.run(() => {
      if (!this.inner.savepoint) throw noSavepoints();
      return this.inner.savepoint(innerOf(connection), name, compile);
    });
  }

  rollbackToSavepoint(connection: DatabaseConnection, name: string, compile: QueryCompiler['compileQuery']): Promise<void> {
    return this.guard.run(() => {
      if (!this.inner.rollbackToSavepoint) throw noSavepoints();
      return this.inner.rollbackToSavepoint(innerOf(connection), name, compile);
    });
  }

  releaseSavepoint(connection: DatabaseConnection, name: string, compile: QueryCompiler['compileQuery']): Promise<void> {
    return this.guard.run(() => {
      if (!this.inner.releaseSavepoint) throw noSavepoints();
      return this.inner.releaseSavepoint(innerOf(connection), name, compile);
    });
  }

  /** Not through the guard: a pool's init reaches no server, and counting it as reaching the database made a start-up failure look like an outage. */
  init(): Promise<void> {
    return this.inner.init();
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    const acquiring = this.inner.acquireConnection();
    try {
      // A pool hands out an idle connection without asking the server: that the server answers, only a statement shows.
      return new GuardedConnection(await this.guard.run(() => acquiring, 'proves-nothing'), this.guard);
    } catch (error) {
      // Past its deadline the pool may still hand the connection out (a new one the server accepts once
      // it answers again): no caller takes it then, so it goes back, or the pool would lose it for good
      // (after a PostgreSQL stall, three such stayed checked out and the node's shut-down waited on them forever).
      acquiring.then((connection) => this.inner.releaseConnection(connection)).catch(() => undefined);
      throw error;
    }
  }

  beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    return this.guard.run(() => this.inner.beginTransaction(innerOf(connection), settings));
  }

  commitTransaction(connection: DatabaseConnection): Promise<void> {
    return this.guard.run(() => this.inner.commitTransaction(innerOf(connection)));
  }

  rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    return this.guard.run(() => this.inner.rollbackTransaction(innerOf(connection)));
  }

  releaseConnection(connection: DatabaseConnection): Promise<void> {
    return this.inner.releaseConnection(innerOf(connection));
  }

  destroy(): Promise<void> {
    return this.inner.destroy();
  }
}

/** The engine's dialect whose connection failures are DatabaseUnavailable, watched by `guard`. */
export function guardedDialect(inner: Dialect, guard: OutageGuard): Dialect {
  return {
    createAdapter: () => inner.createAdapter(),
    createDriver: () => new GuardedDriver(inner.createDriver(), guard),
    createQueryCompiler: () => inner.createQueryCompiler(),
    createIntrospector: (db) => inner.createIntrospector(db),
  };
}
