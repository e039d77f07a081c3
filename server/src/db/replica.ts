/**
 * Reads on a streaming replica (DATABASE_REPLICA_URL), writes on the primary.
 *
 * `ReadRouting` is what the app holds besides its `Database` (the primary): for a read it
 * hands out a `Reader` — the replica's or the primary's — and it never decides by itself
 * what is a read; the db plugin (plugins/db.ts) does, per request. Without a replica
 * (embedded database, PostGIS without DATABASE_REPLICA_URL) every reader is the primary.
 *
 * - **Read-your-writes**: after a write, the client carries the primary's WAL position
 *   (`pg_current_wal_insert_lsn()`) in a cookie; its reads go to the replica only once the replica
 *   has been seen replaying past it (`pg_last_wal_replay_lsn()`), else to the primary. The
 *   position lives with the client, so any instance behind the proxy decides the same way.
 * - **Health in the background**: every `checkIntervalMs` the primary's WAL position and the
 *   replica's replay position are read (never per request); the replica's lag is how long ago
 *   the primary was first seen at a position the replica has not replayed yet. Down (refused,
 *   timed out, not a standby) or lagging beyond `maxLagMs`: reads go to the primary; back and
 *   within half the bound: to the replica again. Each change is logged once.
 * - **A failure mid-query** (connection refused or cut, time-out, a query cancelled by a
 *   recovery conflict) retries that read once on the primary; a lost connection also marks
 *   the replica down until the next check finds it back.
 */
import pg from 'pg';
import type { Database, Queryable } from './database.ts';
import { redact } from './database.ts';
import { isDatabaseUnavailable } from '../plugins/errors.ts';

export type ReaderSource = 'primary' | 'replica';

/**
 * A Queryable for reads, saying which server it reads from now (caches key what they build by
 * it): a replica's reader that had to fall back says `primary` from then on.
 */
export interface Reader extends Queryable {
  readonly source: ReaderSource;
}

export type ReplicaState = 'starting' | 'ok' | 'lagging' | 'down';

export interface ReplicaStatus {
  state: ReplicaState;
  /** How far behind the primary the replica was at the last check, ms (null: not known, e.g. down). */
  lagMs: number | null;
  maxLagMs: number;
  /** Where reads without a pending write of their own go now. */
  readsFrom: ReaderSource;
  /** Why it is down, in words of the driver (null otherwise). */
  reason: string | null;
  /** The last check, ISO time (null before the first). */
  checkedAt: string | null;
}

export interface ReadRouting {
  /** The primary as a reader. */
  readonly primary: Reader;
  /** Whether a replica is configured at all. */
  readonly hasReplica: boolean;
  /** The reader for a read by a client whose last write was at WAL position `writtenAt` (null: none known). */
  readerFor(writtenAt: string | null): Reader;
  /** The primary's current WAL (insert) position, recorded after a write (null without a replica: nothing to wait for). */
  writePosition(): Promise<string | null>;
  /** The replica's state for /api/health (null without a replica). */
  status(): ReplicaStatus | null;
  close(): Promise<void>;
}

/** The primary as a `Reader`. */
export const primaryReader = (db: Queryable): Reader => ({ source: 'primary', query: (sql, params) => db.query(sql, params) });

/** Every read on the primary: the embedded database, a PostGIS without replica. */
export function primaryOnly(db: Database): ReadRouting {
  const primary = primaryReader(db);
  return {
    primary,
    hasReplica: false,
    readerFor: () => primary,
    writePosition: async () => null,
    status: () => null,
    close: async () => undefined,
  };
}

// ---- the decisions, pure (tests/unit/replica-routing.test.ts) ----

/** A WAL position `X/Y` (hex) as a number, or null when it is not one. */
export function parseLsn(s: string | null | undefined): bigint | null {
  const m = /^([0-9A-Fa-f]{1,8})\/([0-9A-Fa-f]{1,8})$/.exec(s ?? '');
  if (!m) return null;
  return (BigInt(`0x${m[1]}`) << 32n) | BigInt(`0x${m[2]}`);
}

/** Where the primary's WAL position was first seen, and when (ms since the epoch). */
export interface WalSample {
  lsn: bigint;
  at: number;
}

/**
 * The replica's lag: how long ago the primary was first seen at a position the replica has not
 * replayed (0 when it has replayed all it was seen at). Samples the replica has passed are
 * dropped from `samples` (oldest first).
 */
export function lagOf(samples: WalSample[], replayed: bigint, now: number): number {
  while (samples.length && samples[0]!.lsn <= replayed) samples.shift();
  return samples.length ? Math.max(0, now - samples[0]!.at) : 0;
}

/** Records the primary's position when it moved since the last sample (at most `cap` kept; the oldest stays). */
export function recordSample(samples: WalSample[], lsn: bigint, at: number, cap = 3600): void {
  const last = samples[samples.length - 1];
  if (last && last.lsn >= lsn) return;
  samples.push({ lsn, at });
  if (samples.length > cap) samples.splice(1, 1);
}

export type Observation = { reachable: false; reason: string } | { reachable: true; lagMs: number };

/**
 * The replica's next state: down when unreachable; lagging beyond the bound; ok within it — but
 * back from down, lagging or starting only once within half the bound, so a replica hovering
 * at the bound does not flap.
 */
export function nextState(prev: ReplicaState, obs: Observation, maxLagMs: number): ReplicaState {
  if (!obs.reachable) return 'down';
  if (obs.lagMs > maxLagMs) return 'lagging';
  if (prev === 'ok') return 'ok';
  return obs.lagMs <= maxLagMs / 2 ? 'ok' : prev === 'starting' ? 'lagging' : prev;
}

/**
 * Where one read goes: to the replica when it is ok and has replayed the client's last write
 * (as last seen by the background check), else to the primary.
 */
export function chooseSource(state: ReplicaState, replayed: bigint | null, writtenAt: bigint | null): ReaderSource {
  if (state !== 'ok') return 'primary';
  if (writtenAt === null) return 'replica';
  return replayed !== null && replayed >= writtenAt ? 'replica' : 'primary';
}

/**
 * A failure that the same read on the primary would not have: the replica cannot be reached or
 * went away (isDatabaseUnavailable), or cancelled the query for a conflict with recovery
 * (40001), or a statement time-out of its own (57014).
 */
export function retryOnPrimary(err: unknown): boolean {
  if (isDatabaseUnavailable(err)) return true;
  const code = (err as { code?: unknown } | null)?.code;
  return code === '40001' || code === '57014';
}

// ---- the replica ----

export interface ReplicaOptions {
  /** Lag beyond which reads go to the primary, ms (DATABASE_REPLICA_MAX_LAG_MS; default 5 000). */
  maxLagMs?: number;
  /** How often the replica is checked, ms (default 1 000). */
  checkIntervalMs?: number;
  /** Connection and check time-out on the replica, ms (default 2 000). */
  timeoutMs?: number;
  log?: { warn(msg: string): void; info(msg: string): void };
}

export const DEFAULT_REPLICA_MAX_LAG_MS = 5_000;
/** The name the replica's connections carry (pg_stat_activity.application_name). */
export const REPLICA_APPLICATION_NAME = 'yizhangtu-reads';

const STATE_LOG: Record<ReplicaState, (why: string) => string> = {
  starting: () => '',
  ok: () => '只读副本已就绪，读取改由副本承担 read replica in use: reads go to the replica',
  lagging: (why) => `只读副本延迟过大（${why}），读取改由主库承担 read replica lagging (${why}): reads go to the primary`,
  down: (why) => `只读副本无法连接（${why}），读取改由主库承担 read replica unreachable (${why}): reads go to the primary`,
};

/**
 * A streaming replica of `primary` at `url`. Never fails to open: a replica that cannot be
 * reached at start is `down` (reads on the primary) until a check finds it.
 */
export async function openReplica(url: string, primary: Database, opts: ReplicaOptions = {}): Promise<ReadRouting> {
  const maxLagMs = opts.maxLagMs ?? DEFAULT_REPLICA_MAX_LAG_MS;
  const interval = opts.checkIntervalMs ?? 1_000;
  const timeout = opts.timeoutMs ?? 2_000;
  const log = opts.log ?? { warn: (m: string) => console.warn(m), info: (m: string) => console.log(m) };
  const common = { connectionString: url, connectionTimeoutMillis: timeout, keepAlive: true, application_name: REPLICA_APPLICATION_NAME };
  const pool = new pg.Pool({ ...common, max: 10 });
  // the checks have a connection of their own, so a busy pool does not read as a dead replica
  const checks = new pg.Pool({ ...common, max: 1, query_timeout: timeout });
  // an idle client whose connection broke: the pool has dropped it; the checks see the outage
  pool.on('error', () => undefined);
  checks.on('error', () => undefined);

  let state: ReplicaState = 'starting';
  let lagMs: number | null = null;
  let reason: string | null = null;
  let replayed: bigint | null = null;
  let checkedAt: string | null = null;
  const samples: WalSample[] = [];

  const describe = (err: unknown) => {
    const e = err as { code?: string; message?: string } | null;
    return e?.code ?? e?.message ?? String(err);
  };
  const become = (next: ReplicaState, why: string) => {
    if (next === state) return;
    state = next;
    if (next === 'ok') log.info(STATE_LOG.ok(why));
    else log.warn(STATE_LOG[next](why));
  };

  const primaryReads = primaryReader(primary);
  /**
   * One request's reader on the replica. Once it has fallen back to the primary it stays
   * there (`source` says so), so a request never reads the primary and then an older replica:
   * what a cache builds is keyed by the server that answered.
   */
  const replicaReads = (): Reader => {
    let onPrimary = false;
    return {
      get source(): ReaderSource {
        return onPrimary ? 'primary' : 'replica';
      },
      async query<T>(sql: string, params?: unknown[]) {
        // known down since it was handed out: do not wait for a connection that will not come
        if (!onPrimary && state === 'down') onPrimary = true;
        if (onPrimary) return primary.query<T>(sql, params);
        try {
          return (await pool.query(sql, params as unknown[])).rows as T[];
        } catch (err) {
          if (!retryOnPrimary(err)) throw err;
          onPrimary = true;
          if (isDatabaseUnavailable(err)) {
            reason = describe(err);
            lagMs = null;
            become('down', reason);
          }
          return primary.query<T>(sql, params);
        }
      },
    };
  };


  const check = async () => {
    let head: bigint | null;
    try {
      const [p] = await primary.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn');
      head = parseLsn(p?.lsn);
    } catch {
      // the primary is away: every request answers 503 anyway; judge the replica when it is back
      return;
    }
    const now = Date.now();
    if (head !== null) recordSample(samples, head, now);
    let obs: Observation;
    try {
      const [r] = (
        await checks.query<{ recovery: boolean; replay: string | null }>('SELECT pg_is_in_recovery() AS recovery, pg_last_wal_replay_lsn()::text AS replay')
      ).rows;
      if (!r?.recovery) {
        obs = { reachable: false, reason: '不是备库 not a standby' };
      } else {
        replayed = parseLsn(r.replay);
        obs = replayed === null ? { reachable: false, reason: '无回放位置 no replay position' } : { reachable: true, lagMs: lagOf(samples, replayed, Date.now()) };
      }
    } catch (err) {
      obs = { reachable: false, reason: describe(err) };
    }
    checkedAt = new Date().toISOString();
    lagMs = obs.reachable ? obs.lagMs : null;
    reason = obs.reachable ? null : obs.reason;
    become(nextState(state, obs, maxLagMs), obs.reachable ? `${obs.lagMs} ms > ${maxLagMs} ms` : obs.reason);
  };

  let running: Promise<void> | null = null;
  const tick = () => {
    running ??= check().finally(() => (running = null));
    return running;
  };
  await tick();
  if (state === 'starting') become('down', reason ?? 'unknown');
  const timer = setInterval(() => void tick(), interval);
  timer.unref();

  return {
    primary: primaryReads,
    hasReplica: true,
    readerFor(writtenAt) {
      return chooseSource(state, replayed, parseLsn(writtenAt)) === 'replica' ? replicaReads() : primaryReads;
    },
    async writePosition() {
      // the insert position: past the change's commit record even under asynchronous commit
      // (the write position may not have reached it yet); at worst a few bytes past what an idle
      // replica replays, so that client reads the primary a little longer
      const [r] = await primary.query<{ lsn: string }>('SELECT pg_current_wal_insert_lsn()::text AS lsn');
      return r?.lsn ?? null;
    },
    status: () => ({ state, lagMs, maxLagMs, readsFrom: state === 'ok' ? 'replica' : 'primary', reason, checkedAt }),
    async close() {
      clearInterval(timer);
      await running?.catch(() => undefined);
      await Promise.all([pool.end(), checks.end()]);
    },
  };
}

/** For logs: the replica's address without its password. */
export const replicaLocation = (url: string): string => redact(url);
