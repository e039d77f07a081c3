/**
 * Where reads go (server/src/db/replica.ts, server/src/plugins/db.ts): the decisions alone —
 * WAL positions, the replica's lag and state, the reader a request gets, which failures are
 * read again on the primary, the write-position cookie, and the configuration. The same with
 * real servers: tests/api/replica.test.ts.
 */
import Fastify from 'fastify';
import cookie from '@fastify/cookie';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../server/src/config.ts';
import type { Database } from '../../server/src/db/database.ts';
import {
  chooseSource,
  lagOf,
  nextState,
  parseLsn,
  recordSample,
  retryOnPrimary,
  type ReadRouting,
  type Reader,
  type ReplicaState,
  type WalSample,
} from '../../server/src/db/replica.ts';
import dbPlugin, { WAL_COOKIE } from '../../server/src/plugins/db.ts';

describe('WAL positions', () => {
  it('reads X/Y in hex and orders positions across the high word', () => {
    expect(parseLsn('0/3000060')).toBe(0x3000060n);
    expect(parseLsn('1/0')).toBe(1n << 32n);
    expect(parseLsn('0/FFFFFFFF')! < parseLsn('1/0')!).toBe(true);
    expect(parseLsn('16/B374D848')).toBe((0x16n << 32n) | 0xb374d848n);
  });
  it('takes nothing else for a position', () => {
    for (const bad of [null, undefined, '', 'abc', '0/', '/1', '0/3000060;x', '123456789/0', '0/123456789', ' 0/1', '-1/0']) {
      expect(parseLsn(bad), String(bad)).toBeNull();
    }
  });
});

describe('the replica’s lag', () => {
  it('is how long ago the primary was first seen where the replica has not replayed', () => {
    const samples: WalSample[] = [];
    recordSample(samples, 100n, 0);
    recordSample(samples, 200n, 1_000);
    recordSample(samples, 300n, 2_000);
    expect(lagOf([...samples], 50n, 2_500)).toBe(2_500);
    expect(lagOf([...samples], 100n, 2_500)).toBe(1_500);
    expect(lagOf([...samples], 250n, 2_500)).toBe(500);
    expect(lagOf([...samples], 300n, 2_500)).toBe(0);
  });
  it('forgets the positions the replica has passed', () => {
    const samples: WalSample[] = [];
    recordSample(samples, 100n, 0);
    recordSample(samples, 200n, 1_000);
    lagOf(samples, 150n, 1_200);
    expect(samples).toEqual([{ lsn: 200n, at: 1_000 }]);
  });
  it('is none on an idle primary the replica has caught up with, however long ago it last moved', () => {
    const samples: WalSample[] = [];
    recordSample(samples, 100n, 0);
    // the primary stays at 100 for an hour: nothing new is recorded
    recordSample(samples, 100n, 3_600_000);
    expect(samples).toHaveLength(1);
    expect(lagOf(samples, 100n, 3_600_000)).toBe(0);
  });
  it('keeps the oldest position unreplayed when the record is full', () => {
    const samples: WalSample[] = [];
    for (let i = 1; i <= 10; i++) recordSample(samples, BigInt(i * 100), i * 1_000, 4);
    expect(samples).toHaveLength(4);
    expect(samples[0]).toEqual({ lsn: 100n, at: 1_000 });
    expect(lagOf(samples, 0n, 20_000)).toBe(19_000);
  });
});

describe('the replica’s state', () => {
  const bound = 1_000;
  const up = (lagMs: number) => ({ reachable: true as const, lagMs });
  const away = { reachable: false as const, reason: 'ECONNREFUSED' };
  it('is down whenever it cannot be reached', () => {
    for (const prev of ['starting', 'ok', 'lagging', 'down'] as ReplicaState[]) expect(nextState(prev, away, bound)).toBe('down');
  });
  it('is lagging beyond the bound, from any state', () => {
    for (const prev of ['starting', 'ok', 'lagging', 'down'] as ReplicaState[]) expect(nextState(prev, up(1_001), bound)).toBe('lagging');
  });
  it('stays in use within the bound', () => {
    expect(nextState('ok', up(1_000), bound)).toBe('ok');
    expect(nextState('ok', up(0), bound)).toBe('ok');
  });
  it('comes back only once within half the bound', () => {
    expect(nextState('lagging', up(800), bound)).toBe('lagging');
    expect(nextState('down', up(800), bound)).toBe('down');
    expect(nextState('lagging', up(500), bound)).toBe('ok');
    expect(nextState('down', up(0), bound)).toBe('ok');
    expect(nextState('starting', up(0), bound)).toBe('ok');
    expect(nextState('starting', up(800), bound)).toBe('lagging');
  });
});

describe('where one read goes', () => {
  it('goes to a replica in use unless the caller wrote something it has not replayed', () => {
    expect(chooseSource('ok', 500n, null)).toBe('replica');
    expect(chooseSource('ok', 500n, 500n)).toBe('replica');
    expect(chooseSource('ok', 500n, 400n)).toBe('replica');
    expect(chooseSource('ok', 500n, 501n)).toBe('primary');
    expect(chooseSource('ok', null, 1n)).toBe('primary');
  });
  it('goes to the primary while the replica is not in use, whatever the caller wrote', () => {
    for (const state of ['starting', 'lagging', 'down'] as ReplicaState[]) {
      expect(chooseSource(state, 500n, null)).toBe('primary');
      expect(chooseSource(state, 500n, 1n)).toBe('primary');
    }
  });
});

describe('which failed reads are read again on the primary', () => {
  it('those the primary would not have: unreachable, cut off, timed out, cancelled by recovery', () => {
    for (const err of [
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5433'), { code: 'ECONNREFUSED' }),
      new Error('Connection terminated unexpectedly'),
      new Error('timeout exceeded when trying to connect'),
      Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }),
      Object.assign(new Error('canceling statement due to conflict with recovery'), { code: '40001' }),
      Object.assign(new Error('canceling statement due to statement timeout'), { code: '57014' }),
    ]) {
      expect(retryOnPrimary(err), err.message).toBe(true);
    }
  });
  it('not a read that is wrong in itself', () => {
    for (const err of [
      Object.assign(new Error('relation "nope" does not exist'), { code: '42P01' }),
      Object.assign(new Error('invalid input syntax for type integer'), { code: '22P02' }),
      new Error('something else'),
      null,
    ]) {
      expect(retryOnPrimary(err)).toBe(false);
    }
  });
});

describe('a request’s reader and its write position (plugins/db.ts)', () => {
  const replica: Reader = { source: 'replica', query: async () => [] };
  const primary: Reader = { source: 'primary', query: async () => [] };

  async function appWith() {
    const asked: (string | null)[] = [];
    const reads: ReadRouting = {
      primary,
      hasReplica: true,
      readerFor: (w) => (asked.push(w), replica),
      writePosition: async () => '0/16B3D28',
      status: () => ({ state: 'ok', lagMs: 0, maxLagMs: 5_000, readsFrom: 'replica', reason: null, checkedAt: null }),
      close: async () => undefined,
    };
    const app = Fastify();
    await app.register(dbPlugin, { db: { kind: 'postgis' } as Database, reads });
    await app.register(cookie);
    app.get('/read', async (req) => ({ source: req.reader.source }));
    app.post('/write', async (req, reply) => reply.status(201).send({ source: req.reader.source }));
    app.post('/match', { config: { readOnly: true } }, async (req) => ({ source: req.reader.source }));
    app.post('/refused', async (_req, reply) => reply.status(422).send({}));
    await app.ready();
    return { app, asked };
  }
  const walOf = (res: { cookies: { name: string; value: string; maxAge?: number; httpOnly?: boolean }[] }) => res.cookies.find((c) => c.name === WAL_COOKIE);

  it('a read is routed by the write position the client carries', async () => {
    const { app, asked } = await appWith();
    expect((await app.inject({ method: 'GET', url: '/read' })).json()).toEqual({ source: 'replica' });
    expect((await app.inject({ method: 'GET', url: '/read', headers: { cookie: `${WAL_COOKIE}=0/16B3D28` } })).json()).toEqual({ source: 'replica' });
    expect(asked).toEqual([null, '0/16B3D28']);
  });
  it('a change reads the primary and hands the client the primary’s position', async () => {
    const { app, asked } = await appWith();
    const res = await app.inject({ method: 'POST', url: '/write' });
    expect(res.json()).toEqual({ source: 'primary' });
    expect(asked).toEqual([]);
    const wal = walOf(res);
    expect(wal?.value).toBe('0/16B3D28');
    expect(wal?.httpOnly).toBe(true);
    // long enough for a replica within the bound (5 s) to have replayed it
    expect(wal?.maxAge).toBeGreaterThan(5);
  });
  it('a POST that only reads is routed as a read and leaves no position; a refused change leaves none', async () => {
    const { app, asked } = await appWith();
    const match = await app.inject({ method: 'POST', url: '/match' });
    expect(match.json()).toEqual({ source: 'replica' });
    expect(asked).toEqual([null]);
    expect(walOf(match)).toBeUndefined();
    expect(walOf(await app.inject({ method: 'POST', url: '/refused' }))).toBeUndefined();
  });
});

describe('configuration', () => {
  it('refuses a replica without a primary, naming both variables in both languages', () => {
    expect(() => loadConfig({ DATABASE_REPLICA_URL: 'postgres://r/x' })).toThrow(/DATABASE_REPLICA_URL[^]*DATABASE_URL[^]*只读副本[^]*read replica needs a PostgreSQL/);
  });
  it('takes a replica beside a primary, with a 5 s lag bound unless told', () => {
    const c = loadConfig({ DATABASE_URL: 'postgres://p/x', DATABASE_REPLICA_URL: 'postgres://r/x' });
    expect(c.databaseReplicaUrl).toBe('postgres://r/x');
    expect(c.replicaMaxLagMs).toBe(5_000);
    expect(loadConfig({ DATABASE_URL: 'postgres://p/x', DATABASE_REPLICA_URL: 'postgres://r/x', DATABASE_REPLICA_MAX_LAG_MS: '250' }).replicaMaxLagMs).toBe(250);
    expect(loadConfig({}).databaseReplicaUrl).toBeUndefined();
  });
  it('refuses a bound that is not a number of milliseconds, and an address that is not postgres://', () => {
    expect(() => loadConfig({ DATABASE_URL: 'postgres://p/x', DATABASE_REPLICA_MAX_LAG_MS: '5s' })).toThrow(/DATABASE_REPLICA_MAX_LAG_MS/);
    expect(() => loadConfig({ DATABASE_URL: 'postgres://p/x', DATABASE_REPLICA_URL: 'mysql://r/x' })).toThrow(/DATABASE_REPLICA_URL/);
  });
});
