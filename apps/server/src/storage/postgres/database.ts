import pg from 'pg';

export interface PostgresStorageOptions {
  /** `postgres://user:password@host:port/database`, as DATABASE_URL gives it. */
  connectionString: string;
  /**
   * The schema to keep the tables in (created if missing): every connection of the
   * pool gets `search_path` = this schema. Lower-case letters, digits and `_`.
   * Default: the connection's own search_path (normally `public`).
   */
  schema?: string;
  /** Connections in the pool. Default 10. */
  poolSize?: number;
  /**
   * Called with errors of idle connections (the server restarted, the network
   * dropped). The pool drops such a connection and opens a new one when needed;
   * queries that were running reject on their own. Default: ignored.
   */
  onError?: (error: Error) => void;
}

/** Whatever runs a query: the pool (one statement, autocommit) or a client inside a transaction. */
export type Queryable = Pick<pg.Pool | pg.PoolClient, 'query'>;

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** Throws unless `schema` is a plain identifier that needs no quoting. */
export function checkSchemaName(schema: string): string {
  if (!SCHEMA_NAME.test(schema)) {
    throw new Error(`invalid schema name ${JSON.stringify(schema)}: use lower-case letters, digits and _`);
  }
  return schema;
}

/**
 * A pool whose every connection starts with `search_path` = `schema`, set through
 * the startup `options` (no extra round trip, and it cannot be forgotten on a new
 * connection). The option is appended to the URL's own `options`, because pg lets
 * the URL's parameters override the ones passed beside it.
 */
export function createPool(options: PostgresStorageOptions): pg.Pool {
  const url = new URL(options.connectionString);
  if (options.schema !== undefined) {
    const own = url.searchParams.get('options');
    const searchPath = `-c search_path=${checkSchemaName(options.schema)}`;
    url.searchParams.set('options', own ? `${own} ${searchPath}` : searchPath);
  }
  const pool = new pg.Pool({
    connectionString: url.toString(),
    max: Math.max(1, Math.trunc(options.poolSize ?? 10)),
    application_name: 'chat-server',
    // A database that does not answer fails the query instead of holding it for ever.
    connectionTimeoutMillis: 5000,
  });
  pool.on('error', (error) => options.onError?.(error));
  return pool;
}

/**
 * Runs `fn` in one transaction on a dedicated connection: BEGIN, then COMMIT, or
 * ROLLBACK when `fn` throws. The connection always goes back to the pool; one
 * whose ROLLBACK failed (its socket is gone) is destroyed instead.
 *
 * `write`: READ COMMITTED, where each statement sees what committed before it
 * started, and row locks (`FOR NO KEY UPDATE`, `UPDATE`) serialise writers.
 * `snapshot`: REPEATABLE READ READ ONLY, where every statement sees one state.
 */
export async function inTransaction<T>(
  pool: pg.Pool,
  mode: 'write' | 'snapshot',
  fn: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const begin = mode === 'write' ? 'BEGIN' : 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY';
  return transaction(pool, async (client) => {
    await client.query(begin);
    return fn(client);
  });
}

/**
 * A `write` transaction whose BEGIN travels with its first statements, in one
 * round trip of the simple query protocol: the statements of one query string
 * run one after the other, each with a snapshot of its own (READ COMMITTED), as
 * if sent one by one, so a read placed after a lock sees what committed before
 * the lock was granted. `fn` gets their results, in order.
 *
 * The opening is planned at every call (a named statement is planned once per
 * connection) and carries its values as literals (`textArrayLiteral`): for a
 * few short statements on a hot path, where a round trip costs more than the
 * planning (issue 13: a send's BEGIN, lock and checks went from three round
 * trips to one).
 */
export async function inWriteTransactionOpenedWith<T>(
  pool: pg.Pool,
  opening: readonly string[],
  fn: (client: pg.PoolClient, opened: pg.QueryResult[]) => Promise<T>,
): Promise<T> {
  return transaction(pool, async (client) => {
    const results = (await client.query(['BEGIN', ...opening].join(';\n'))) as unknown as pg.QueryResult[];
    return fn(client, results.slice(1));
  });
}

/** `ARRAY[...]::text[]` of the values, each escaped as a string literal. */
export function textArrayLiteral(values: readonly string[]): string {
  return `ARRAY[${values.map((value) => pg.escapeLiteral(value)).join(', ')}]::text[]`;
}

/** An array element PostgreSQL's array text takes as it is: no quoting, and not the word NULL. */
const PLAIN_ELEMENT = /^[\w.:-]+$/;

/**
 * An array parameter of ids and numbers as PostgreSQL's array text
 * (`{a,b,NULL}`), joined in one go: pg quotes and escapes each element of a JS
 * array on its own, ~6% of the server's CPU for a conversation list's 200 ids
 * and five columns of numbers (issue 13). An array with an element that would
 * need quoting is handed to pg as it is.
 */
export function arrayParam<T extends string | number | null>(values: readonly T[]): string | readonly T[] {
  for (const value of values) {
    if (typeof value !== 'string') continue;
    if (!PLAIN_ELEMENT.test(value) || (value.length === 4 && value.toLowerCase() === 'null')) return values;
  }
  return `{${values.map((value) => (value === null ? 'NULL' : value)).join(',')}}`;
}

/** Runs `fn` (which begins the transaction) on a dedicated connection, then COMMIT, or ROLLBACK when it throws. */
async function transaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  const detach = watchCheckedOut(client, (error) => (broken = error));
  try {
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    try {
      // Also when the opening failed before BEGIN ran: PostgreSQL only warns.
      await client.query('ROLLBACK');
    } catch (rollbackError) {
      broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
    }
    throw error;
  } finally {
    detach();
    client.release(broken);
  }
}

/**
 * A client checked out of the pool has no `'error'` listener of the pool's (it
 * has one only while idle), and an `'error'` event without a listener ends the
 * process: a server stopped or a socket cut mid-transaction emits one beside
 * rejecting the running query. This listens while the client is out, marks it
 * broken (so the pool destroys it on release) and leaves the failure to the
 * rejected query. Returns the way to stop listening, before release.
 */
export function watchCheckedOut(client: pg.PoolClient, onBroken: (error: Error) => void): () => void {
  const listener = (error: Error) => onBroken(error);
  client.on('error', listener);
  return () => client.off('error', listener);
}

/** PostgreSQL's SQLSTATE of a failed query, if it is one. */
export function sqlState(error: unknown): string | undefined {
  return error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
}

/** The constraint a unique violation (23505) or foreign key violation (23503) names. */
export function violatedConstraint(error: unknown): string | undefined {
  return error instanceof Error && 'constraint' in error && typeof error.constraint === 'string'
    ? error.constraint
    : undefined;
}

/** `Date.toISOString()` of a timestamptz as pg returns it (a Date), or as JSON gives it (a string). */
export function iso(value: Date | string): string {
  return (typeof value === 'string' ? new Date(value) : value).toISOString();
}

export function isoOrNull(value: Date | string | null): string | null {
  return value === null ? null : iso(value);
}
