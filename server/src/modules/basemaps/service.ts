/**
 * Base maps (底图): what the workspace may offer, and the proxy that fetches their tiles.
 *
 * - **Tianditu** (天地图): the key from the admin page (basemap_setting) or the environment
 *   (TIANDITU_KEY); it never leaves the server — the browser asks `/tiles/basemaps/tianditu/…`
 *   and the server asks TIANDITU_URL with WMTS KVP GetTile on the tile set `w`.
 * - **The bureau's own services** (basemap_service): XYZ, TMS or WMTS templates an administrator
 *   added, fetched the same way.
 * - **The offline vector base map**: a PMTiles file placed on the server (pmtiles.ts).
 *
 * Only these addresses are ever fetched: a layer name from a fixed list or a stored service's
 * number, and a tile's z/x/y in its range — the proxy is no relay for other addresses. Upstream
 * time-outs, refusals and answers that are not images become 502/504 with the reason in words.
 */
import { stat } from 'node:fs/promises';
import { MbtilesFile } from './mbtiles.ts';
import { LRUCache } from 'lru-cache';
import type { Database, Queryable } from '../../db/database.ts';
import { AppError } from '../../plugins/errors.ts';
import type { Basemap } from '../../../../core/contracts/features.ts';
import type { BasemapService } from '../../../../core/contracts/basemaps.ts';
import {
  fillTemplate,
  imageKindOf,
  TIANDITU_DEFAULT_ATTRIBUTION,
  TIANDITU_DEFAULT_URL,
  TIANDITU_LAYERS,
  TIANDITU_MAPS,
  TIANDITU_ZOOM,
  tiandituTileUrl,
  type ServiceKind,
  type TiandituLayer,
} from '../../../../core/basemaps.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** The base maps on offer and their tile proxy (app.ts). */
    basemaps: Basemaps;
  }
}

export interface BasemapOptions {
  /** Tianditu from the environment: TIANDITU_KEY, TIANDITU_URL, TIANDITU_ATTRIBUTION, TIANDITU_REVIEW_NUMBER. */
  tianditu?: { key?: string; url?: string; attribution?: string; reviewNumber?: string };
  /** The offline vector base map file (BASEMAP_PMTILES; default DATA_DIR/basemap.pmtiles). */
  pmtiles?: string;
  /** The offline vector base map as an MBTiles file instead (BASEMAP_MBTILES), served tile by tile. */
  mbtiles?: string;
  /** Its attribution (BASEMAP_PMTILES_ATTRIBUTION; default: OpenStreetMap and Protomaps, whose data and schema a protomaps build has). */
  pmtilesAttribution?: string;
  /** How long an upstream tile server may take, ms (default 8 000). */
  upstreamTimeoutMs?: number;
}

/** The largest tile taken from upstream. */
const MAX_TILE_BYTES = 4 * 1024 * 1024;

export interface Tile {
  bytes: Buffer;
  contentType: string;
}

interface Settings {
  key: string | null;
  keySource: 'admin' | 'env' | 'none';
  attribution: string;
  reviewNumber: string;
  url: string;
}

interface ServiceRow {
  id: number;
  name_zh: string;
  name_en: string;
  url: string;
  kind: ServiceKind;
  attribution: string;
  min_zoom: number;
  max_zoom: number;
  created_at: Date | string;
  created_by: string | null;
}

export const serviceOf = (r: ServiceRow): BasemapService => ({
  id: r.id,
  nameZh: r.name_zh,
  nameEn: r.name_en,
  url: r.url,
  kind: r.kind,
  attribution: r.attribution,
  minZoom: r.min_zoom,
  maxZoom: r.max_zoom,
  createdAt: new Date(r.created_at).toISOString(),
  createdBy: r.created_by,
});

/** The attribution with the 审图号 after it. */
export const attributionWithReview = (attribution: string, reviewNumber: string) =>
  [attribution, reviewNumber && (/审图号/.test(reviewNumber) ? reviewNumber : `审图号：${reviewNumber}`)].filter(Boolean).join(' · ');

export class Basemaps {
  /** Settings and services are read at most once every few seconds (other instances' changes arrive within that). */
  private cached: { at: number; settings: Settings; services: ServiceRow[] } | null = null;
  private readonly tiles = new LRUCache<string, Tile>({ maxSize: 32 * 1024 * 1024, sizeCalculation: (t) => t.bytes.length + 100, ttl: 6 * 3600_000 });
  readonly timeoutMs: number;
  readonly mbtiles: MbtilesFile | null;

  constructor(
    private readonly db: Database,
    private readonly opts: BasemapOptions = {},
  ) {
    this.timeoutMs = opts.upstreamTimeoutMs ?? 8_000;
    this.mbtiles = opts.mbtiles ? new MbtilesFile(opts.mbtiles) : null;
  }

  get pmtilesPath(): string | undefined {
    return this.opts.pmtiles;
  }

  /** Forget what was read (after a change here). */
  changed() {
    this.cached = null;
    this.tiles.clear();
  }

  private async state() {
    if (this.cached && Date.now() - this.cached.at < 5_000) return this.cached;
    const rows = await this.db.query<{ name: string; value: string }>(`SELECT name, value FROM basemap_setting`);
    const set = Object.fromEntries(rows.map((r) => [r.name, r.value]));
    const env = this.opts.tianditu ?? {};
    const adminKey = set['tianditu.key'] || null;
    const envKey = env.key?.trim() || null;
    const settings: Settings = {
      key: adminKey ?? envKey,
      keySource: adminKey ? 'admin' : envKey ? 'env' : 'none',
      attribution: set['tianditu.attribution'] ?? env.attribution?.trim() ?? TIANDITU_DEFAULT_ATTRIBUTION,
      reviewNumber: set['tianditu.reviewNumber'] ?? env.reviewNumber?.trim() ?? '',
      url: env.url?.trim() || TIANDITU_DEFAULT_URL,
    };
    const services = await this.db.query<ServiceRow>(`SELECT * FROM basemap_service ORDER BY id`);
    this.cached = { at: Date.now(), settings, services };
    return this.cached;
  }

  async settings(): Promise<Settings> {
    return (await this.state()).settings;
  }

  async services(): Promise<BasemapService[]> {
    return (await this.state()).services.map(serviceOf);
  }

  /** The PMTiles file, when it is there. */
  async pmtilesFile(): Promise<{ path: string; bytes: number; mtimeMs: number } | null> {
    if (!this.opts.pmtiles) return null;
    try {
      const s = await stat(this.opts.pmtiles);
      return s.isFile() ? { path: this.opts.pmtiles, bytes: s.size, mtimeMs: s.mtimeMs } : null;
    } catch {
      return null;
    }
  }

  /**
   * What the workspace offers besides the offline base map, in the order shown. Addresses of
   * this server are paths (`/tiles/basemaps/…`): the client puts its own origin before them.
   */
  async forClient(origin = ''): Promise<Basemap[]> {
    const { settings, services } = await this.state();
    const out: Basemap[] = [];
    if (await this.pmtilesFile()) {
      out.push({ id: 'pmtiles', name: '离线矢量底图', nameEn: 'Offline vector base map', kind: 'pmtiles', tiles: [], url: `${origin}/tiles/basemaps/offline.pmtiles`, attribution: this.opts.pmtilesAttribution || '© OpenStreetMap contributors · Protomaps', maxzoom: 15 });
    }
    const mb = await this.mbtiles?.info();
    if (mb) {
      out.push({ id: 'mbtiles', name: '离线矢量底图（MBTiles）', nameEn: 'Offline vector base map (MBTiles)', kind: 'vector', tiles: [`${origin}/tiles/basemaps/offline/{z}/{x}/{y}.mvt`], attribution: this.opts.pmtilesAttribution || '© OpenStreetMap contributors · Protomaps', minzoom: mb.minzoom, maxzoom: mb.maxzoom });
    }
    if (settings.key) {
      const attribution = attributionWithReview(settings.attribution, settings.reviewNumber);
      for (const m of TIANDITU_MAPS) {
        const tiles = (layer: TiandituLayer) => [`${origin}/tiles/basemaps/tianditu/${layer}/{z}/{x}/{y}`];
        out.push({ id: m.id, name: m.nameZh, nameEn: m.nameEn, kind: 'raster', tiles: tiles(m.base), labelTiles: tiles(m.labels), attribution, minzoom: 1, maxzoom: TIANDITU_ZOOM[m.base].max });
      }
    }
    for (const s of services) {
      out.push({ id: `service-${s.id}`, name: s.name_zh, nameEn: s.name_en, kind: 'raster', tiles: [`${origin}/tiles/basemaps/services/${s.id}/{z}/{x}/{y}`], attribution: s.attribution, minzoom: s.min_zoom, maxzoom: s.max_zoom });
    }
    return out;
  }

  /** One Tianditu tile through the proxy. */
  async tiandituTile(layer: string, z: number, x: number, y: number): Promise<Tile> {
    if (!(TIANDITU_LAYERS as readonly string[]).includes(layer)) {
      throw new AppError(404, 'BASEMAP_NOT_FOUND', `天地图没有图层“${layer}”（可用：${TIANDITU_LAYERS.join('、')}）`, `Tianditu has no layer "${layer}" (${TIANDITU_LAYERS.join(', ')})`);
    }
    const range = TIANDITU_ZOOM[layer as TiandituLayer];
    checkTile(z, x, y, range.min, range.max);
    const { settings } = await this.state();
    if (!settings.key) throw new AppError(404, 'TIANDITU_NOT_CONFIGURED', '未配置天地图密钥：请在系统管理的“底图”中填写，或设置 TIANDITU_KEY', 'No Tianditu key is configured: set one under Administration → Base maps, or TIANDITU_KEY');
    const url = tiandituTileUrl(settings.url, layer as TiandituLayer, z, x, y, settings.key);
    return this.cachedFetch(`t:${layer}/${z}/${x}/${y}`, url, { zh: '天地图', en: 'Tianditu' });
  }

  /** One tile of a bureau's service through the proxy. */
  async serviceTile(id: number, z: number, x: number, y: number): Promise<Tile> {
    const { services } = await this.state();
    const s = services.find((r) => r.id === id);
    if (!s) throw new AppError(404, 'BASEMAP_NOT_FOUND', `没有编号为 ${id} 的底图服务`, `No base-map service number ${id}`);
    checkTile(z, x, y, s.min_zoom, s.max_zoom);
    return this.cachedFetch(`s:${id}/${z}/${x}/${y}`, fillTemplate(s.url, s.kind, z, x, y), { zh: `底图服务“${s.name_zh}”`, en: `The base-map service "${s.name_en}"` });
  }

  private async cachedFetch(cacheKey: string, url: string, who: { zh: string; en: string }): Promise<Tile> {
    const hit = this.tiles.get(cacheKey);
    if (hit) return hit;
    const tile = await fetchTile(url, who, this.timeoutMs);
    this.tiles.set(cacheKey, tile);
    return tile;
  }

  async setSetting(db: Queryable, name: string, value: string | null, by: string | null) {
    if (value === null) await db.query(`DELETE FROM basemap_setting WHERE name = $1`, [name]);
    else {
      await db.query(
        `INSERT INTO basemap_setting (name, value, updated_by) VALUES ($1, $2, $3)
         ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value, updated_at = now(), updated_by = EXCLUDED.updated_by`,
        [name, value, by],
      );
    }
    this.changed();
  }
}

function checkTile(z: number, x: number, y: number, minZoom: number, maxZoom: number) {
  if (z < minZoom || z > maxZoom) {
    throw new AppError(404, 'BASEMAP_ZOOM_OUT_OF_RANGE', `该底图只有 ${minZoom}–${maxZoom} 级瓦片，没有第 ${z} 级`, `This base map has tiles at zoom ${minZoom}–${maxZoom} only, not ${z}`);
  }
  const n = 2 ** z;
  if (x < 0 || y < 0 || x >= n || y >= n) {
    throw new AppError(400, 'TILE_OUT_OF_RANGE', `第 ${z} 级的瓦片行列号须在 0–${n - 1} 之间`, `At zoom ${z} a tile's column and row are 0–${n - 1}`);
  }
}

/**
 * Fetches one tile: an image within the time allowed, or an AppError naming what went wrong
 * (time-out 504; unreachable, refused, not an image 502; no tile there 404).
 */
export async function fetchTile(url: string, who: { zh: string; en: string }, timeoutMs: number): Promise<Tile> {
  const s = (timeoutMs / 1000).toLocaleString('en');
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), headers: { accept: 'image/png,image/jpeg,image/webp,image/*;q=0.8' } });
  } catch (e) {
    const err = e as Error & { cause?: { code?: string } };
    if (err.name === 'TimeoutError' || err.name === 'AbortError') {
      throw new AppError(504, 'BASEMAP_UPSTREAM_TIMEOUT', `${who.zh}在 ${s} 秒内没有应答`, `${who.en} did not answer within ${s} s`);
    }
    const code = err.cause?.code ? `（${err.cause.code}）` : '';
    throw new AppError(502, 'BASEMAP_UPSTREAM_UNREACHABLE', `无法连接${who.zh}${code}`, `${who.en} cannot be reached${code ? ` (${err.cause!.code})` : ''}`);
  }
  let bytes: Buffer;
  try {
    const body = await res.arrayBuffer();
    bytes = Buffer.from(body);
  } catch (e) {
    const err = e as Error;
    if (err.name === 'TimeoutError' || err.name === 'AbortError') {
      throw new AppError(504, 'BASEMAP_UPSTREAM_TIMEOUT', `${who.zh}在 ${s} 秒内没有送完瓦片`, `${who.en} did not send the tile within ${s} s`);
    }
    throw new AppError(502, 'BASEMAP_UPSTREAM_UNREACHABLE', `${who.zh}的应答中断`, `${who.en} broke off its answer`);
  }
  if (res.status === 404 || res.status === 204) {
    throw new AppError(404, 'BASEMAP_TILE_NOT_FOUND', `${who.zh}在此处没有瓦片`, `${who.en} has no tile here`);
  }
  if (res.status === 401 || res.status === 403 || res.status === 418) {
    throw new AppError(502, 'BASEMAP_UPSTREAM_REFUSED', `${who.zh}拒绝了请求（HTTP ${res.status}）：密钥可能无效，或未授权本服务器的域名/IP`, `${who.en} refused the request (HTTP ${res.status}): the key may be invalid or not allowed for this server's domain or IP`);
  }
  if (res.status !== 200) {
    throw new AppError(502, 'BASEMAP_UPSTREAM_ERROR', `${who.zh}返回 HTTP ${res.status}`, `${who.en} answered HTTP ${res.status}`);
  }
  if (bytes.length > MAX_TILE_BYTES) {
    throw new AppError(502, 'BASEMAP_NOT_AN_IMAGE', `${who.zh}返回的瓦片过大（${bytes.length} 字节）`, `${who.en} sent a tile too large (${bytes.length} bytes)`);
  }
  const kind = imageKindOf(bytes);
  if (!kind) {
    const type = res.headers.get('content-type') ?? '未知 unknown';
    throw new AppError(502, 'BASEMAP_NOT_AN_IMAGE', `${who.zh}返回的不是图片（${type}）`, `${who.en} did not answer with an image (${type})`);
  }
  return { bytes, contentType: `image/${kind}` };
}
