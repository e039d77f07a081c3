/**
 * Runtime configuration, from the environment. Every variable is listed in the
 * README's Configuration section.
 */
import { resolve } from 'node:path';
import { sevenParametersProblem } from './formats/parsers/seven-parameters.ts';
import type { BasemapOptions } from './modules/basemaps/service.ts';
import { DEFAULT_REPLICA_MAX_LAG_MS } from './db/replica.ts';

export interface Config {
  port: number;
  host: string;
  /** postgres://… of a PostgreSQL + PostGIS server; absent → embedded database. */
  databaseUrl?: string;
  /** postgres://… of a streaming replica of DATABASE_URL's server (DATABASE_REPLICA_URL): reads go there. */
  databaseReplicaUrl?: string;
  /** Replica lag beyond which reads go to the primary, ms (DATABASE_REPLICA_MAX_LAG_MS; default 5 000). */
  replicaMaxLagMs: number;
  /** Where the embedded database keeps its files. */
  dataDir: string;
  /** Where orthophotos live (IMAGERY_DIR): uploads, files an administrator registers by path, the demo's. Default DATA_DIR/imagery. */
  imageryDir: string;
  /** Dataset loaded on first start when the database is empty. */
  seedScale: 'demo' | 'city' | 'province' | 'none';
  seed: number;
  logLevel: string;
  /** Redis the rate limits count in, shared by the instances (REDIS_URL); unset: in each instance's memory. */
  redisUrl?: string;
  /** Built client to serve; absent directory → API only. */
  clientDir: string;
  /** Proxies whose X-Forwarded-For/-Proto are believed (TRUST_PROXY); undefined: none. */
  trustProxy?: boolean | number | string[];
  /** The bureau's datum shift parameters (DATUM_TRANSFORMS), passed to the site-file parsers. */
  datumTransforms?: DatumTransforms;
  /** How far from a site the stock-first step looks for stock land, km (STOCK_FIRST_RADIUS_KM); unset: 10. */
  stockFirstRadiusKm?: number;
  /** The provincial average farmland share of new construction land, % (FARMLAND_SHARE_PROVINCIAL_PCT); unset: 35. */
  farmlandShareAveragePct?: number;
  /** Tianditu and the offline vector base map (TIANDITU_*, BASEMAP_PMTILES). */
  basemapSources: BasemapOptions;
}

/**
 * TIANDITU_KEY (the bureau's key; the admin page may set one instead), TIANDITU_URL (another
 * server speaking Tianditu's WMTS, `{s}` for the subdomains t0–t7; default
 * https://t{s}.tianditu.gov.cn), TIANDITU_ATTRIBUTION, TIANDITU_REVIEW_NUMBER (审图号);
 * BASEMAP_PMTILES (the offline vector base map file; default DATA_DIR/basemap.pmtiles) and
 * BASEMAP_PMTILES_ATTRIBUTION; BASEMAP_MBTILES (the same as an MBTiles file, served tile by tile).
 */
export function basemapSourcesOf(env: NodeJS.ProcessEnv, dataDir: string): BasemapOptions {
  const url = env.TIANDITU_URL?.trim();
  if (url && !/^https?:\/\/[^\s]+$/.test(url)) throw new Error(`环境变量 TIANDITU_URL 须为 http(s) 网址，现为 “${url}” — TIANDITU_URL must be an http(s) address`);
  return {
    tianditu: { key: env.TIANDITU_KEY?.trim() || undefined, url: url || undefined, attribution: env.TIANDITU_ATTRIBUTION?.trim() || undefined, reviewNumber: env.TIANDITU_REVIEW_NUMBER?.trim() || undefined },
    pmtiles: resolve(env.BASEMAP_PMTILES?.trim() || resolve(dataDir, 'basemap.pmtiles')),
    mbtiles: env.BASEMAP_MBTILES?.trim() ? resolve(env.BASEMAP_MBTILES.trim()) : undefined,
    pmtilesAttribution: env.BASEMAP_PMTILES_ATTRIBUTION?.trim() || undefined,
  };
}

/** STOCK_FIRST_RADIUS_KM: a number of kilometres above 0 and at most 200 (the match's own bound); unset or empty: the default. */
export function stockFirstRadiusOf(raw: string | undefined): number | undefined {
  const v = raw?.trim();
  if (!v) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0 || n > 200) {
    throw new Error(`环境变量 STOCK_FIRST_RADIUS_KM 须为大于 0、不超过 200 的公里数，现为 “${v}” — STOCK_FIRST_RADIUS_KM must be a number of km above 0 and at most 200`);
  }
  return n;
}

/**
 * FARMLAND_SHARE_PROVINCIAL_PCT: the province's average farmland share of new construction land
 * (占耕比), a percentage from 0 to 100 the counties' yearly shares are judged against; unset or
 * empty: the default (core/farmland-share.ts).
 */
export function farmlandShareAverageOf(raw: string | undefined): number | undefined {
  const v = raw?.trim();
  if (!v) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0 || n > 100) {
    throw new Error(`环境变量 FARMLAND_SHARE_PROVINCIAL_PCT 须为 0–100 之间的百分数，现为 “${v}” — FARMLAND_SHARE_PROVINCIAL_PCT must be a percentage from 0 to 100`);
  }
  return n;
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
  if (!['demo', 'city', 'province', 'none'].includes(seedScale)) {
    throw new Error(`环境变量 SEED_SCALE 只能是 demo、city、province 或 none，现为 “${seedScale}”`);
  }
  const dataDir = resolve(env.DATA_DIR || '.data');
  const databaseReplicaUrl = env.DATABASE_REPLICA_URL?.trim() || undefined;
  if (databaseReplicaUrl && !env.DATABASE_URL) {
    throw new Error(
      '环境变量 DATABASE_REPLICA_URL 已设置，但未设置 DATABASE_URL：只读副本只能配合 PostgreSQL + PostGIS 主库使用（内置数据库没有副本）。请同时设置 DATABASE_URL，或取消 DATABASE_REPLICA_URL — ' +
        'DATABASE_REPLICA_URL is set without DATABASE_URL: a read replica needs a PostgreSQL + PostGIS primary (the embedded database has none); set DATABASE_URL too, or unset DATABASE_REPLICA_URL',
    );
  }
  if (databaseReplicaUrl && !/^postgres(ql)?:\/\//.test(databaseReplicaUrl)) {
    throw new Error(`环境变量 DATABASE_REPLICA_URL 须为 postgres:// 地址 — DATABASE_REPLICA_URL must be a postgres:// address`);
  }
  return {
    port: intEnv('PORT', 3000, env),
    host: env.HOST || '0.0.0.0',
    databaseUrl: env.DATABASE_URL || undefined,
    databaseReplicaUrl,
    replicaMaxLagMs: intEnv('DATABASE_REPLICA_MAX_LAG_MS', DEFAULT_REPLICA_MAX_LAG_MS, env),
    dataDir,
    imageryDir: resolve(env.IMAGERY_DIR || resolve(dataDir, 'imagery')),
    seedScale,
    seed: intEnv('SEED', 20261122, env),
    logLevel: env.LOG_LEVEL || 'info',
    redisUrl: env.REDIS_URL?.trim() || undefined,
    clientDir: resolve(env.CLIENT_DIR || 'dist/client'),
    trustProxy: trustProxyOf(env.TRUST_PROXY),
    datumTransforms: datumTransformsOf(env.DATUM_TRANSFORMS),
    stockFirstRadiusKm: stockFirstRadiusOf(env.STOCK_FIRST_RADIUS_KM),
    farmlandShareAveragePct: farmlandShareAverageOf(env.FARMLAND_SHARE_PROVINCIAL_PCT),
    basemapSources: basemapSourcesOf(env, dataDir),
  };
}

/** The embedded database lives in a subdirectory of DATA_DIR. */
export const embeddedDir = (dataDir: string): string => resolve(dataDir, 'pglite');

/** Seven shift parameters per local datum, as the bureau configures them (DATUM_TRANSFORMS). */
export type DatumTransforms = Partial<Record<'beijing54' | 'xian80', [number, number, number, number, number, number, number]>>;

/**
 * DATUM_TRANSFORMS: the bureau's own seven parameters from a local datum to CGCS2000, as JSON
 * `{"xian80":[dx,dy,dz,rx,ry,rz,ds],"beijing54":[…]}` — dx, dy, dz in metres, rotations in
 * arc-seconds, scale in ppm, read as position vector (proj4's +towgs84, EPSG method 1033); a set
 * published as coordinate frame (EPSG method 1032, the rotations' signs reversed) is written
 * `{"beijing54":{"parameters":[…],"convention":"coordinate-frame"}}` and turned into position
 * vector here (`"convention":"position-vector"` is the bare array's meaning). Site files on that datum
 * without parameters of their own are then shifted with them (server/src/formats/parsers/placement.ts).
 * Unset or empty: none. Anything else is refused at start with the reason.
 *
 * @example datumTransformsOf('{"xian80":[24,-123,-94,0.02,-0.25,-0.13,1.1]}') // { xian80: [24, -123, -94, 0.02, -0.25, -0.13, 1.1] }
 */
export function datumTransformsOf(raw: string | undefined): DatumTransforms | undefined {
  const v = raw?.trim();
  if (!v) return undefined;
  const bad = (why: string) =>
    new Error(
      `环境变量 DATUM_TRANSFORMS 无效：${why}；应为 JSON，如 {"xian80":[ΔX,ΔY,ΔZ,旋转X,旋转Y,旋转Z,尺度ppm],"beijing54":[…]}（米、秒、ppm）— ` +
        `DATUM_TRANSFORMS is invalid: ${why}; it must be JSON like {"xian80":[dx,dy,dz,rx,ry,rz,ds],"beijing54":[…]} (metres, arc-seconds, ppm)`,
    );
  let json: unknown;
  try {
    json = JSON.parse(v);
  } catch {
    throw bad('不是有效的 JSON / not valid JSON');
  }
  if (!json || typeof json !== 'object' || Array.isArray(json)) throw bad('不是对象 / not an object');
  const out: DatumTransforms = {};
  for (const [key, value] of Object.entries(json)) {
    if (key !== 'xian80' && key !== 'beijing54') throw bad(`未知的基准“${key}”（只能是 xian80、beijing54）/ unknown datum "${key}" (xian80 or beijing54)`);
    let list: unknown = value;
    let frame = false;
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      const { parameters, convention, ...rest } = value as Record<string, unknown>;
      const extra = Object.keys(rest);
      if (extra.length) throw bad(`${key} 中有未知的键“${extra.join('、')}”（只能是 parameters、convention）/ unknown key "${extra.join('", "')}" in ${key} (parameters, convention)`);
      if (convention !== undefined && convention !== 'position-vector' && convention !== 'coordinate-frame') {
        throw bad(`${key} 的 convention 应为 "position-vector" 或 "coordinate-frame" / ${key}'s convention must be "position-vector" or "coordinate-frame"`);
      }
      frame = convention === 'coordinate-frame';
      list = parameters;
    }
    if (!Array.isArray(list) || list.length !== 7 || !list.every((n) => typeof n === 'number' && Number.isFinite(n))) {
      throw bad(`${key} 须为 7 个数 / ${key} must be 7 numbers`);
    }
    const [dx, dy, dz, rx, ry, rz, ds] = list as number[];
    const problem = sevenParametersProblem(list as number[]);
    if (problem) throw bad(`${key}：${problem.zh} / ${key}: ${problem.en}`);
    // coordinate frame → position vector: the rotations change sign
    const turn = (r: number) => (frame && r !== 0 ? -r : r);
    out[key] = [dx!, dy!, dz!, turn(rx!), turn(ry!), turn(rz!), ds!];
  }
  return out;
}
