/**
 * A throwaway PostgreSQL server of the test's own (initdb + pg_ctl in a temporary directory,
 * on a free loopback port), for tests that stop and restart the database under the app; and a
 * streaming replica of one (pg_basebackup -R, on a port of its own) for the read replica's tests
 * and benchmarks.
 * Needs the PostgreSQL binaries and PostGIS of one installed major version (Debian's
 * postgresql-NN and postgresql-NN-postgis-3; CI installs 15). As root, the server runs as the
 * `postgres` system user, which owns the directory.
 */
import { freePort } from './free-port.ts';
import { execFile as execFileCb, execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';

const execFile = promisify(execFileCb);

/** The bin directory of an installed PostgreSQL whose PostGIS is installed too, or null. */
export function findPostgresBin(): string | null {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const versions = readdirSync(root).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a));
  const prefer = versions.includes('15') ? ['15', ...versions.filter((v) => v !== '15')] : versions;
  for (const v of prefer) {
    const bin = join(root, v, 'bin');
    if (existsSync(join(bin, 'initdb')) && existsSync(join(bin, 'pg_ctl')) && existsSync(`/usr/share/postgresql/${v}/extension/postgis.control`)) {
      return bin;
    }
  }
  return null;
}

export interface PgCluster {
  /** postgres://postgres@127.0.0.1:port/<database> */
  urlOf(database: string): string;
  /** postgres://postgres@127.0.0.1:port/postgres */
  url: string;
  port: number;
  dir: string;
  stop(mode?: 'fast' | 'immediate'): Promise<void>;
  start(): Promise<void>;
  restart(mode?: 'fast' | 'immediate'): Promise<void>;
  /** Stops the server if it runs and removes its directory (never throws). */
  destroy(): Promise<void>;
}

/** A temporary directory the server's user owns, and how to run a PostgreSQL tool as that user. */
function serverDir(bin: string) {
  const asRoot = process.getuid?.() === 0;
  const dir = mkdtempSync(join(tmpdir(), 'yzt-pg-'));
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    chownSync(dir, uid, gid);
  }
  const run = (tool: string, args: string[]) =>
    asRoot ? execFile('runuser', ['-u', 'postgres', '--', join(bin, tool), ...args]) : execFile(join(bin, tool), args);
  return { dir, run };
}

function clusterAt(dir: string, port: number, run: (tool: string, args: string[]) => Promise<unknown>): PgCluster {
  const data = join(dir, 'data');
  const opts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c synchronous_commit=off`;
  const ctl = (...args: string[]) => run('pg_ctl', ['-D', data, '-l', join(dir, 'server.log'), '-o', opts, '-w', '-t', '30', ...args]);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    urlOf: (database) => `postgres://postgres@127.0.0.1:${port}/${encodeURIComponent(database)}`,
    port,
    dir,
    stop: async (mode = 'fast') => void (await ctl('stop', '-m', mode)),
    start: async () => void (await ctl('start')),
    restart: async (mode = 'fast') => void (await ctl('restart', '-m', mode)),
    destroy: async () => {
      await ctl('stop', '-m', 'immediate').catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function startCluster(bin: string): Promise<PgCluster> {
  const { dir, run } = serverDir(bin);
  const data = join(dir, 'data');
  const cluster = clusterAt(dir, await freePort(), run);
  try {
    await run('initdb', ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--no-sync', '--no-instructions']);
    await cluster.start();
  } catch (err) {
    await cluster.destroy();
    throw err;
  }
  return cluster;
}

/**
 * A primary of the test's own with PostGIS created in `database`, and a streaming replica of it
 * (pg_basebackup -R: a standby that follows the primary over streaming replication, hot
 * standby, readable) on another free port. Either can be stopped, started and restarted;
 * `destroy` removes both. `replicaSql` runs a statement on the replica (e.g.
 * `SELECT pg_wal_replay_pause()` to hold its replay).
 */
export interface PgReplicaPair {
  primary: PgCluster;
  replica: PgCluster;
  /** The database both hold (PostGIS created). */
  database: string;
  replicaSql(sql: string): Promise<Record<string, unknown>[]>;
  /** Waits until the replica has replayed everything the primary has written (at most `timeoutMs`). */
  caughtUp(timeoutMs?: number): Promise<void>;
  destroy(): Promise<void>;
}

/**
 * Starts the primary (initdb), creates `database` with PostGIS, runs `prepare` on it (migrate,
 * seed: the replica is copied afterwards, so it starts with the same data), then copies it
 * into a replica and starts that.
 */
export async function startReplicaPair(bin: string, opts: { database?: string; prepare?: (url: string) => Promise<void> } = {}): Promise<PgReplicaPair> {
  const database = opts.database ?? 'yizhangtu';
  const primary = await startCluster(bin);
  let replica: PgCluster | undefined;
  const pgq = async (url: string, sql: string) => {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      return (await c.query(sql)).rows as Record<string, unknown>[];
    } finally {
      await c.end();
    }
  };
  try {
    await pgq(primary.url, `CREATE DATABASE "${database}"`);
    await pgq(primary.urlOf(database), 'CREATE EXTENSION postgis');
    await opts.prepare?.(primary.urlOf(database));
    const { dir, run } = serverDir(bin);
    replica = clusterAt(dir, await freePort(), run);
    try {
      await run('pg_basebackup', ['-h', '127.0.0.1', '-p', String(primary.port), '-U', 'postgres', '-D', join(dir, 'data'), '-R', '-X', 'stream', '--no-sync', '-c', 'fast']);
      await replica.start();
    } catch (err) {
      await replica.destroy();
      throw err;
    }
  } catch (err) {
    await primary.destroy();
    throw err;
  }
  const standby = replica;
  return {
    primary,
    replica: standby,
    database,
    replicaSql: (sql) => pgq(standby.urlOf(database), sql),
    async caughtUp(timeoutMs = 10_000) {
      const [{ lsn }] = (await pgq(primary.urlOf(database), 'SELECT pg_current_wal_lsn()::text AS lsn')) as [{ lsn: string }];
      const until = Date.now() + timeoutMs;
      for (;;) {
        const [r] = (await pgq(standby.urlOf(database), `SELECT pg_last_wal_replay_lsn() >= '${lsn}'::pg_lsn AS ok`)) as [{ ok: boolean }];
        if (r.ok) return;
        if (Date.now() > until) throw new Error(`the replica has not replayed ${lsn} within ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async destroy() {
      await standby.destroy();
      await primary.destroy();
    },
  };
}

/**
 * Copies the rows of `tables` from one database to another of the same schema (COPY out of
 * one, into the other; the target's triggers fire, so its data versions move).
 */
export async function copyTables(fromUrl: string, toUrl: string, tables: readonly string[]): Promise<void> {
  const from = new pg.Client({ connectionString: fromUrl });
  const to = new pg.Client({ connectionString: toUrl });
  await Promise.all([from.connect(), to.connect()]);
  try {
    for (const t of tables) {
      const name = t.split('.').map((p) => `"${p.replace(/"/g, '""')}"`).join('.');
      await pipeline(from.query(copyTo(`COPY ${name} TO STDOUT`)), to.query(copyFrom(`COPY ${name} FROM STDIN`)));
    }
  } finally {
    await Promise.all([from.end(), to.end()]);
  }
}
