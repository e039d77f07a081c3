/**
 * Runtime configuration, from the environment. Every variable is listed in the
 * README's Configuration section.
 */
import { resolve } from 'node:path';

export interface Config {
  port: number;
  host: string;
  /** postgres://… of a PostgreSQL + PostGIS server; absent → embedded database. */
  databaseUrl?: string;
  /** Where the embedded database keeps its files. */
  dataDir: string;
  /** Dataset loaded on first start when the database is empty. */
  seedScale: 'demo' | 'city' | 'none';
  seed: number;
  logLevel: string;
  /** Built client to serve; absent directory → API only. */
  clientDir: string;
  /** Proxies whose X-Forwarded-For/-Proto are believed (TRUST_PROXY); undefined: none. */
  trustProxy?: boolean | number | string[];
}

/**
 * TRUST_PROXY: `true` (any proxy — only when nothing can reach the app but the proxy), a number
 * of proxy hops, or a comma-separated list of proxy addresses / CIDRs (e.g. `127.0.0.1,10.0.0.0/8`).
 */
export function trustProxyOf(raw: string | undefined): boolean | number | string[] | undefined {
  const v = raw?.trim();
  if (!v || v === 'false' || v === '0') return undefined;
  if (v === 'true') return true;
  if (/^\d+$/.test(v)) return Number(v);
  const list = v.split(',').map((s) => s.trim()).filter(Boolean);
  const bad = list.find((s) => !/^[0-9a-fA-F:.]+(\/\d{1,3})?$/.test(s) && !['loopback', 'linklocal', 'uniquelocal'].includes(s));
  if (bad) throw new Error(`环境变量 TRUST_PROXY 应为 true、代理层数或以逗号分隔的地址/网段，“${bad}”无效 — TRUST_PROXY: true, a hop count, or comma-separated addresses/CIDRs`);
  return list;
}

function intEnv(name: string, fallback: number, env: NodeJS.ProcessEnv): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new Error(`环境变量 ${name} 必须是非负整数，现为 “${raw}”`);
  return n;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const seedScale = (env.SEED_SCALE ?? 'demo') as Config['seedScale'];
  if (!['demo', 'city', 'none'].includes(seedScale)) {
    throw new Error(`环境变量 SEED_SCALE 只能是 demo、city 或 none，现为 “${seedScale}”`);
  }
  return {
    port: intEnv('PORT', 3000, env),
    host: env.HOST || '0.0.0.0',
    databaseUrl: env.DATABASE_URL || undefined,
    dataDir: resolve(env.DATA_DIR || '.data'),
    seedScale,
    seed: intEnv('SEED', 20261122, env),
    logLevel: env.LOG_LEVEL || 'info',
    clientDir: resolve(env.CLIENT_DIR || 'dist/client'),
    trustProxy: trustProxyOf(env.TRUST_PROXY),
  };
}

/** The embedded database lives in a subdirectory of DATA_DIR. */
export const embeddedDir = (dataDir: string): string => resolve(dataDir, 'pglite');
