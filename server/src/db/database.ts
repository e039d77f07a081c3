/**
 * The database seam: one small interface, two implementations — a real
 * PostgreSQL + PostGIS server (`DATABASE_URL`) and the embedded PGlite with its
 * PostGIS extension, persisted on disk. Everything above this file talks SQL
 * through `Database` and never knows which one it has, except where the two
 * differ in what PostGIS can do (`kind`).
 */
import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { PGlite } from '@electric-sql/pglite';
import { postgis } from '@electric-sql/pglite-postgis';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { ensureDataVersionTriggers } from './data-version-triggers.ts';
import { listen, type Listener, type ListenHandlers } from './listen.ts';

export type { Listener, ListenHandlers } from './listen.ts';

export type DatabaseKind = 'postgis' | 'embedded';

export interface Queryable {
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
}

export interface Database extends Queryable {
  readonly kind: DatabaseKind;
  /** Runs `fn` in one transaction; rolled back if it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /**
   * Bulk-loads rows with COPY … FROM (text format). `lines` are already
   * escaped with `copyLine`. Returns the number of rows written.
   */
  copy(table: string, columns: string[], lines: Iterable<string> | AsyncIterable<string>, tx?: Queryable): Promise<number>;
  /** Creates the PostGIS extension if missing and applies pending migrations. */
  migrate(): Promise<void>;
  close(): Promise<void>;
  /** Where the data lives, for logs (never includes a password). */
  readonly location: string;
  /**
   * LISTEN on `channel` over a connection of its own, re-established after a loss (PostGIS only:
   * the embedded database is one process, where nothing else can change it).
   */
  listen?(channel: string, handlers: ListenHandlers): Promise<Listener>;
}

export const migrationsFolder = fileURLToPath(new URL('../../../migrations', import.meta.url));

/** Escapes one value for COPY text format; null becomes \N. */
export function copyValue(v: string | number | null | undefined): string {
  if (v === null || v === undefined) return '\\N';
  const s = typeof v === 'number' ? String(v) : v;
  return s.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r'));
}

export function copyLine(values: (string | number | null | undefined)[]): string {
  return values.map(copyValue).join('\t') + '\n';
}

const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;
/** `table` may be schema-qualified (schema.table). */
const copySql = (table: string, columns: string[], source: string) =>
  `COPY ${table.split('.').map(quoteIdent).join('.')} (${columns.map(quoteIdent).join(', ')}) FROM ${source}`;

async function ensurePostgis(q: Queryable): Promise<void> {
  const present = await q.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_extension WHERE extname = 'postgis'`);
  if (present[0]?.n) return;
  try {
    await q.query('CREATE EXTENSION IF NOT EXISTS postgis');
  } catch (err) {
    throw new Error(
      `PostGIS 扩展不存在且无法创建（${(err as Error).message}）。请由数据库管理员执行 CREATE EXTENSION postgis; ` +
        `— PostGIS is not installed in this database and could not be created.`,
    );
  }
}

/**
 * How long a request waits for a connection (a new one, or a free one from a full pool)
 * before it fails; during an outage requests answer 503 after at most this long instead of
 * hanging (plugins/errors.ts maps the failure).
 */
export const CONNECT_TIMEOUT_MS = 5_000;

export interface PostgisOptions {
  /** Where connection losses and recoveries are reported; the console by default. */
  log?: { warn(msg: string): void; info(msg: string): void };
}

/**
 * A real PostgreSQL server with PostGIS, through node-postgres.
 *
 * A lost server never ends the process: the pool drops a client whose connection breaks
 * (idle or checked out) and opens new ones on demand, so requests fail while the server is
 * away and succeed again once it is back, with nothing to restart.
 */
export async function openPostgis(url: string, opts: PostgisOptions = {}): Promise<Database> {
  const log = opts.log ?? { warn: (m: string) => console.warn(m), info: (m: string) => console.log(m) };
  // JIT off: the app's statements are short (tiles, overlays, the yearly figures at a province's size,
  // a few hundred ms), and JIT compiling one costs more than it saves (0.5–2 s for the figures'
  // statements, measured in docs/PERFORMANCE.md)
  const pool = new pg.Pool({ connectionString: url, max: 10, connectionTimeoutMillis: CONNECT_TIMEOUT_MS, keepAlive: true, options: '-c jit=off' });
  // An idle client whose connection breaks (server restarted, network cut) is an 'error' on the
  // pool; unhandled, it would end the process. The pool has already dropped that client.
  let lost = false;
  pool.on('error', (err: Error & { code?: string }) => {
    if (!lost) log.warn(`数据库连接断开 database connection lost (${err.code ?? err.message}); 恢复前的请求将返回 503 requests answer 503 until it is back`);
    lost = true;
  });
  pool.on('connect', () => {
    if (lost) log.info('数据库连接已恢复 database connection restored');
    lost = false;
  });
  // Fail fast with a clear message when the server is unreachable.
  const client = await pool.connect().catch((err: Error) => {
    void pool.end();
    throw new Error(`无法连接数据库 ${redact(url)}：${err.message}`);
  });
  client.release();
  /**
   * A client of our own for a transaction or COPY. While checked out, the pool no longer
   * listens for its errors, so we do: a broken connection rejects the running query rather
   * than throwing from the socket, and the client is released with the error so the pool
   * discards it instead of handing it to the next request.
   */
  const checkout = async () => {
    const c = await pool.connect();
    let broken: Error | undefined;
    const onError = (err: Error) => {
      broken = err;
    };
    c.on('error', onError);
    return {
      client: c,
      fail(err: unknown) {
        broken ??= err instanceof Error ? err : new Error(String(err));
      },
      release() {
        c.off('error', onError);
        c.release(broken);
      },
    };
  };
  const wrap = (c: pg.Pool | pg.PoolClient): Queryable => ({
    async query<T>(sql: string, params?: unknown[]) {
      return (await c.query(sql, params as unknown[])).rows as T[];
    },
  });
  const db: Database = {
    kind: 'postgis',
    location: redact(url),
    ...wrap(pool),
    listen: (channel, handlers) => listen(url, channel, handlers, log),
    async transaction(fn) {
      const own = await checkout();
      const c = own.client;
      try {
        await c.query('BEGIN');
        const out = await fn(Object.assign(wrap(c), { client: c }));
        await c.query('COMMIT');
        return out;
      } catch (err) {
        // a failed ROLLBACK means the connection is gone: the client must not be reused
        await c.query('ROLLBACK').catch((e: unknown) => own.fail(e));
        throw err;
      } finally {
        own.release();
      }
    },
    async copy(table, columns, lines, tx) {
      const own = tx && 'client' in tx ? undefined : await checkout();
      const c = own?.client ?? (tx as Queryable & { client: pg.PoolClient }).client;
      try {
        const stream = c.query(copyFrom(copySql(table, columns, 'STDIN')));
        let n = 0;
        async function* counted() {
          for await (const line of lines) {
            n++;
            yield line;
          }
        }
        await pipeline(Readable.from(counted()), stream);
        return n;
      } catch (err) {
        // a COPY cut short leaves the connection in an unknown state
        own?.fail(err);
        throw err;
      } finally {
        own?.release();
      }
    },
    async migrate() {
      await ensurePostgis(db);
      await migratePg(drizzlePg(pool), { migrationsFolder });
      await ensureDataVersionTriggers(db);
    },
    async close() {
      await pool.end();
    },
  };
  return db;
}

/** The embedded database: PGlite (Postgres in WebAssembly) with PostGIS, stored in `dataDir`. */
export async function openEmbedded(dataDir: string): Promise<Database> {
  if (!existsSync(dataDir)) mkdirSync(dataDir, { recursive: true });
  const pglite = await PGlite.create(dataDir, { extensions: { postgis } });
  const wrap = (c: Pick<PGlite, 'query'>): Queryable => ({
    async query<T>(sql: string, params?: unknown[]) {
      return (await c.query<T>(sql, params)).rows;
    },
  });
  // PGlite runs one statement at a time; a mutex keeps transactions and plain queries from interleaving.
  let chain: Promise<unknown> = Promise.resolve();
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = chain.then(fn, fn);
    chain = run.catch(() => undefined);
    return run;
  };
  const COPY_BATCH = 20_000;
  /** `each` runs one batch's COPY (outside a transaction: serialised batch by batch, so other queries run between them while the lines are produced). */
  const copyInto = async (
    c: Pick<PGlite, 'query'>,
    table: string,
    columns: string[],
    lines: Iterable<string> | AsyncIterable<string>,
    each: <T>(f: () => Promise<T>) => Promise<T> = (f) => f(),
  ) => {
    let n = 0;
    let batch: string[] = [];
    const flush = async () => {
      if (!batch.length) return;
      const blob = new Blob(batch);
      const lines = batch.length;
      batch = [];
      await each(() => c.query(copySql(table, columns, `'/dev/blob'`), [], { blob }));
      n += lines;
    };
    for await (const line of lines) {
      batch.push(line);
      if (batch.length >= COPY_BATCH) await flush();
    }
    await flush();
    return n;
  };
  const db: Database = {
    kind: 'embedded',
    location: dataDir,
    query: (sql, params) => serial(() => wrap(pglite).query(sql, params)),
    transaction: (fn) =>
      serial(() =>
        pglite.transaction(async (tx) => {
          const q = Object.assign(wrap(tx), { pgliteTx: tx });
          return fn(q);
        }),
      ),
    copy(table, columns, lines, tx) {
      if (tx && 'pgliteTx' in tx) return copyInto((tx as unknown as { pgliteTx: Pick<PGlite, 'query'> }).pgliteTx, table, columns, lines);
      return copyInto(pglite, table, columns, lines, serial);
    },
    async migrate() {
      await serial(async () => {
        await ensurePostgis(wrap(pglite));
        await migratePglite(drizzlePglite(pglite), { migrationsFolder });
        await ensureDataVersionTriggers(wrap(pglite));
      });
    },
    async close() {
      await serial(() => pglite.close());
    },
  };
  return db;
}

export function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://…';
  }
}

/** Opens the database the environment asks for: `DATABASE_URL` → PostGIS, otherwise embedded under `dataDir`. */
export async function openDatabase(opts: { databaseUrl?: string; dataDir: string }): Promise<Database> {
  return opts.databaseUrl ? openPostgis(opts.databaseUrl) : openEmbedded(opts.dataDir);
}
