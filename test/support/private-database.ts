/**
 * A database server of a test's own, that the test may crash and start again without touching
 * the machine's shared servers (PostgreSQL in private-postgres.ts, MariaDB in private-mariadb.ts).
 */
export interface PrivateDatabaseServer {
  /** An administrator URL of the server. */
  readonly adminUrl: string;
  /** The URL of a new, empty database `name` of the server. */
  createDatabase(name: string): Promise<string>;
  /** Stops the server at once, as a crash. */
  stop(): Promise<void>;
  /** Starts it again on the same port and data, waiting until it accepts connections. */
  start(): Promise<void>;
  /** Stops it (if running) and deletes its directory; call it in a `finally`. */
  remove(): Promise<void>;
}
