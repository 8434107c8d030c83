import { MysqlDialect, type Dialect } from 'kysely';
import { createPool, type TypeCast } from 'mysql2';

const DEFAULT_PORT = 3306;

/** mysql2's default; written out because start-up must not hang on a blackholed server. */
const CONNECT_TIMEOUT_MS = 10_000;

/**
 * `boolean` columns are TINYINT(1) in MariaDB; read them as JS booleans, as PostgreSQL and the
 * SQLite adapter do, so table types say `boolean` on every engine.
 */
const booleansAsBooleans: TypeCast = (field, next) => {
  if (field.type === 'TINY' && field.length === 1) {
    const text = field.string();
    return text === null ? null : text !== '0';
  }
  return next();
};

/**
 * `mysql://user:pass@host:port/db?charset=utf8mb4&unix_socket=/run/mysqld/mysqld.sock`, the query
 * options being the two oslo.db URLs commonly carry.
 */
export function createMariadbDialect(url: string): Dialect {
  const parsed = new URL(url);
  const socketPath = parsed.searchParams.get('unix_socket') ?? undefined;
  const pool = createPool({
    host: decodeURIComponent(parsed.hostname) || 'localhost',
    port: parsed.port === '' ? DEFAULT_PORT : Number(parsed.port),
    ...(socketPath === undefined ? {} : { socketPath }),
    user: decodeURIComponent(parsed.username),
    password: decodeURIComponent(parsed.password),
    database: decodeURIComponent(parsed.pathname.replace(/^\//, '')) || undefined,
    charset: parsed.searchParams.get('charset') ?? 'utf8mb4',
    connectTimeout: CONNECT_TIMEOUT_MS,
    // Nimbus stores timestamps as ISO text (common/db/timestamps.ts); should a DATETIME ever be
    // read, it is UTC rather than the server process's local zone.
    timezone: 'Z',
    typeCast: booleansAsBooleans,
  });
  return new MysqlDialect({ pool });
}
