/**
 * Base maps (底图): the Tianditu layers, the tile-address templates an administrator may add
 * (XYZ, TMS, WMTS KVP or REST), and the providers that are refused because their tiles are
 * offset (GCJ-02 / BD-09). Pure: the server checks and proxies with it, the admin page warns
 * with it before sending.
 */

/** Tianditu (天地图) on its Web Mercator tile set `w`: base layer and its annotation layer. */
export const TIANDITU_MAPS = [
  { id: 'tianditu-vec', base: 'vec', labels: 'cva', nameZh: '天地图 矢量', nameEn: 'Tianditu vector' },
  { id: 'tianditu-img', base: 'img', labels: 'cia', nameZh: '天地图 影像', nameEn: 'Tianditu imagery' },
  { id: 'tianditu-ter', base: 'ter', labels: 'cta', nameZh: '天地图 地形', nameEn: 'Tianditu terrain' },
] as const;
export const TIANDITU_LAYERS = ['vec', 'cva', 'img', 'cia', 'ter', 'cta'] as const;
export type TiandituLayer = (typeof TIANDITU_LAYERS)[number];
/** Zoom levels Tianditu's `w` tile set serves (terrain stops at 14). */
export const TIANDITU_ZOOM: Record<TiandituLayer, { min: number; max: number }> = {
  vec: { min: 1, max: 18 },
  cva: { min: 1, max: 18 },
  img: { min: 1, max: 18 },
  cia: { min: 1, max: 18 },
  ter: { min: 1, max: 14 },
  cta: { min: 1, max: 14 },
};
export const TIANDITU_DEFAULT_URL = 'https://t{s}.tianditu.gov.cn';
export const TIANDITU_DEFAULT_ATTRIBUTION = '天地图 · 国家地理信息公共服务平台';

/**
 * The GetTile address of one Tianditu tile (WMTS KVP). `base` is TIANDITU_URL: a host with an
 * optional `{s}` for the subdomains t0–t7, chosen from the tile so a tile always comes from one.
 */
export function tiandituTileUrl(base: string, layer: TiandituLayer, z: number, x: number, y: number, key: string): string {
  const root = base.replace(/\/+$/, '').replace('{s}', String((x + y) % 8));
  const q = new URLSearchParams({
    SERVICE: 'WMTS',
    REQUEST: 'GetTile',
    VERSION: '1.0.0',
    LAYER: layer,
    STYLE: 'default',
    TILEMATRIXSET: 'w',
    FORMAT: 'tiles',
    TILEMATRIX: String(z),
    TILEROW: String(y),
    TILECOL: String(x),
    tk: key,
  });
  return `${root}/${layer}_w/wmts?${q.toString()}`;
}

/**
 * Hosts of providers whose tiles are in GCJ-02 (高德 AutoNavi/Amap, 腾讯 Tencent) or BD-09 (百度
 * Baidu): hundreds of metres off CGCS2000, so a parcel drawn on them is in the wrong place.
 */
const OFFSET_PROVIDERS: { pattern: RegExp; zh: string; en: string; datum: 'GCJ-02' | 'BD-09' }[] = [
  { pattern: /(^|\.)(autonavi|amap)\.com$/i, zh: '高德', en: 'AutoNavi (Amap)', datum: 'GCJ-02' },
  { pattern: /(^|\.)(gtimg|qq|map\.qq)\.com$/i, zh: '腾讯', en: 'Tencent', datum: 'GCJ-02' },
  { pattern: /(^|\.)(baidu|bdimg|bdstatic)\.com$/i, zh: '百度', en: 'Baidu', datum: 'BD-09' },
];

/** The offset provider a tile address belongs to, or null. */
export function offsetProviderOf(url: string): { zh: string; en: string; datum: 'GCJ-02' | 'BD-09' } | null {
  let host: string;
  try {
    host = new URL(url.replace(/\{[^}]*\}/g, '0')).hostname;
  } catch {
    return null;
  }
  const hit = OFFSET_PROVIDERS.find((p) => p.pattern.test(host));
  return hit ? { zh: hit.zh, en: hit.en, datum: hit.datum } : null;
}

export const SERVICE_KINDS = ['xyz', 'tms', 'wmts'] as const;
export type ServiceKind = (typeof SERVICE_KINDS)[number];

/**
 * What is wrong with a tile-address template, or null. XYZ and TMS take `{z}`, `{x}`, `{y}`
 * (`{-y}` is the TMS row too); WMTS takes `{TileMatrix}`, `{TileRow}`, `{TileCol}` (a REST
 * template, or KVP parameters written with them) or `{z}`/`{x}`/`{y}`. An optional `{s}` with
 * the subdomains a, b, c.
 */
export function templateProblem(url: string): { zh: string; en: string } | null {
  let parsed: URL;
  try {
    parsed = new URL(url.replace(/\{[^}]*\}/g, '0'));
  } catch {
    return { zh: '不是有效的网址', en: 'not a valid address' };
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return { zh: '只接受 http 或 https 网址', en: 'only http or https addresses are taken' };
  const has = (re: RegExp) => re.test(url);
  const z = has(/\{z\}/i) || has(/\{TileMatrix\}/i);
  const x = has(/\{x\}/i) || has(/\{TileCol\}/i);
  const y = has(/\{-?y\}/i) || has(/\{TileRow\}/i);
  if (!z || !x || !y) return { zh: '须含级别、列、行占位符：{z}、{x}、{y}（或 WMTS 的 {TileMatrix}、{TileCol}、{TileRow}）', en: 'it must hold the level, column and row placeholders {z}, {x}, {y} (or WMTS {TileMatrix}, {TileCol}, {TileRow})' };
  const unknown = (url.match(/\{[^}]*\}/g) ?? []).filter((p) => !/^\{(z|x|y|-y|s|TileMatrix|TileCol|TileRow)\}$/i.test(p));
  if (unknown.length) return { zh: `未知的占位符 ${unknown.join('、')}`, en: `unknown placeholder ${unknown.join(', ')}` };
  return null;
}

/** One tile's address from a template; a TMS service counts rows from the bottom. */
export function fillTemplate(url: string, kind: ServiceKind, z: number, x: number, y: number): string {
  const row = kind === 'tms' ? 2 ** z - 1 - y : y;
  const tms = 2 ** z - 1 - y;
  return url
    .replace(/\{s\}/gi, ['a', 'b', 'c'][(x + y) % 3]!)
    .replace(/\{z\}|\{TileMatrix\}/gi, String(z))
    .replace(/\{x\}|\{TileCol\}/gi, String(x))
    .replace(/\{-y\}/gi, String(tms))
    .replace(/\{y\}|\{TileRow\}/gi, String(row));
}

/** Web Mercator tile of a point at a zoom. */
export function tileOf(lon: number, lat: number, z: number): { x: number; y: number } {
  const n = 2 ** z;
  const r = (lat * Math.PI) / 180;
  return {
    x: Math.floor(((lon + 180) / 360) * n),
    y: Math.floor(((1 - Math.log(Math.tan(r) + 1 / Math.cos(r)) / Math.PI) / 2) * n),
  };
}

/** The image formats a tile may be in, from its first bytes (PNG, JPEG, WebP, GIF). */
export function imageKindOf(bytes: Uint8Array): 'png' | 'jpeg' | 'webp' | 'gif' | null {
  const b = bytes;
  if (b.length >= 8 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47) return 'png';
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'jpeg';
  if (b.length >= 12 && b[0] === 0x52 && b[1] === 0x49 && b[2] === 0x46 && b[3] === 0x46 && b[8] === 0x57 && b[9] === 0x45 && b[10] === 0x42 && b[11] === 0x50) return 'webp';
  if (b.length >= 6 && b[0] === 0x47 && b[1] === 0x49 && b[2] === 0x46) return 'gif';
  return null;
}
