/**
 * Where the rate limits count (`@fastify/rate-limit`'s `store`): in Redis when `REDIS_URL` is
 * set, so every instance behind the proxy counts an address's requests — and a name's sign-in
 * attempts — together; in this process's memory otherwise (the embedded demo needs nothing else).
 *
 * Redis down does not take the app down, nor does it lift the limits: while Redis cannot be
 * reached (not connected, or a command failing or taking over 250 ms) each instance counts in
 * its own memory, as without Redis, and goes back to Redis once it answers again; the change
 * either way is logged once. Commands are never queued while disconnected. Cost per request: one
 * EVALSHA (INCR + PTTL in a script, from @fastify/rate-limit), pipelined with the others of the
 * same tick.
 */
import { createRequire } from 'node:module';
import { Redis } from 'ioredis';
import type { FastifyRateLimitStoreCtor } from '@fastify/rate-limit';

const require = createRequire(import.meta.url);
type StoreCallback = (err: Error | null, res?: { current: number; ttl: number }) => void;
interface Store {
  incr(key: string, cb: StoreCallback, timeWindow: number, max: number): void;
  read?(key: string, cb: StoreCallback, timeWindow: number, max: number): void;
  child(routeOptions: Record<string, unknown>): Store;
}
type StoreCtor = new (...args: unknown[]) => Store;
const LocalStore = require('@fastify/rate-limit/store/LocalStore.js') as StoreCtor;
const RedisStore = require('@fastify/rate-limit/store/RedisStore.js') as StoreCtor;

interface Log {
  warn(msg: string): void;
  info(msg: string): void;
}

/** The Redis connection of one app: never queues, fails a command after 250 ms, reconnects on its own. */
export function openRateLimitRedis(url: string, log: Log): Redis {
  const redis = new Redis(url, {
    enableOfflineQueue: false,
    enableAutoPipelining: true,
    maxRetriesPerRequest: 0,
    commandTimeout: 250,
    connectTimeout: 2_000,
    retryStrategy: (times) => Math.min(100 * 2 ** times, 2_000),
    lazyConnect: false,
  });
  let down = false;
  redis.on('error', (err: Error) => {
    if (!down) log.warn(`Redis 不可用，限流暂按本实例计数 Redis unreachable (${err.message}); rate limits counted per instance until it is back`);
    down = true;
  });
  redis.on('ready', () => {
    if (down) log.info('Redis 已恢复，限流重新共享计数 Redis is back; rate limits shared again');
    down = false;
  });
  return redis;
}

/**
 * A store class for `@fastify/rate-limit` counting in `redis` while it answers, else in memory.
 * `nameSpace` prefixes the keys (one Redis may serve several deployments).
 */
export function sharedStore(redis: Redis, log: Log, nameSpace = 'yzt-rl:'): FastifyRateLimitStoreCtor {
  let failing = false;
  const failed = (err: Error) => {
    if (!failing) log.warn(`限流计数未能写入 Redis，暂按本实例计数 rate-limit count failed in Redis (${err.message}); counting per instance`);
    failing = true;
  };

  class FallbackStore implements Store {
    constructor(
      private readonly shared: Store,
      private readonly local: Store,
    ) {}

    incr(key: string, cb: StoreCallback, timeWindow: number, max: number): void {
      if (redis.status !== 'ready') return this.local.incr(key, cb, timeWindow, max);
      this.shared.incr(
        key,
        (err, res) => {
          if (err) {
            failed(err);
            return this.local.incr(key, cb, timeWindow, max);
          }
          failing = false;
          cb(null, res);
        },
        timeWindow,
        max,
      );
    }

    read(key: string, cb: StoreCallback, timeWindow: number, max: number): void {
      if (redis.status !== 'ready') return this.local.read!(key, cb, timeWindow, max);
      this.shared.read!(key, (err, res) => (err ? this.local.read!(key, cb, timeWindow, max) : cb(null, res)), timeWindow, max);
    }

    child(routeOptions: Record<string, unknown>): Store {
      return new FallbackStore(this.shared.child(routeOptions), this.local.child(routeOptions));
    }
  }

  return class extends FallbackStore {
    constructor(params: { continueExceeding: boolean; exponentialBackoff: boolean }) {
      super(new RedisStore(params.continueExceeding, params.exponentialBackoff, redis, nameSpace), new LocalStore(params.continueExceeding, params.exponentialBackoff));
    }
  } as unknown as FastifyRateLimitStoreCtor;
}
