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
  };
}

/** The embedded database lives in a subdirectory of DATA_DIR. */
export const embeddedDir = (dataDir: string): string => resolve(dataDir, 'pglite');
