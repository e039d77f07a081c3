/**
 * The map's search (检索): place names (counties, townships, villages), the codes of every layer
 * the caller may see (stock parcels, cases, farmland fields' 图斑编号, control-line polygons), and
 * coordinates (core/coordinate-query.ts). Restricted layers' codes are searched only for those who
 * may see the layers (core/access.ts); a case's page is offered to those who review cases.
 */
import type { Role } from '../../../../core/access.ts';
import { maySeeLayer } from '../../../../core/access.ts';
import { isCoordinateProblem, parseCoordinateQuery, type CoordinateReading } from '../../../../core/coordinate-query.ts';
import { layers, type LayerDefinition, type LayerId } from '../../../../core/layers.ts';
import type { SearchResponse, SearchResult } from '../../../../core/contracts/map-tools.ts';
import type { Queryable } from '../../db/database.ts';
import { ident, servedTable, sqlFile } from '../../db/sql-file.ts';
import { AppError } from '../../plugins/errors.ts';
import { linkOf } from '../identify/repo.ts';

type Bbox = [number, number, number, number];
interface PlaceRow { id: number; code: string; name: string; name_en: string | null; township_name: string | null; county_name: string | null; county_name_en: string | null; lx: number; ly: number; xmin: number; ymin: number; xmax: number; ymax: number }
interface CodeRow { id: number; code: string; name: string | null; county_name: string | null; county_name_en: string | null; lx: number; ly: number; xmin: number; ymin: number; xmax: number; ymax: number }

const PLACE_LAYER: Record<'county' | 'township' | 'village', LayerId> = { county: 'admin-county', township: 'township', village: 'village' };

/** The kind of result a layer's code gives. */
function codeKind(id: LayerId): SearchResult['kind'] {
  if (id === 'stock-parcel') return 'stock-parcel';
  if (id === 'encroachment') return 'case';
  if (id === 'permanent-farmland' || id === 'general-farmland') return 'field';
  if (id === 'admin-county') return 'county';
  if (id === 'township') return 'township';
  if (id === 'village') return 'village';
  return 'feature';
}

const likeEscape = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);
const bboxOf = (r: { xmin: number; ymin: number; xmax: number; ymax: number }): Bbox => [Number(r.xmin), Number(r.ymin), Number(r.xmax), Number(r.ymax)];
const fixed = (v: number, d: number) => v.toFixed(d);

async function coordinateResult(db: Queryable, c: CoordinateReading): Promise<SearchResult> {
  const [county] = await db.query<{ name: string; name_en: string }>(
    'SELECT name, name_en FROM admin_county WHERE ST_Intersects(geom, ST_SetSRID(ST_MakePoint($1, $2), 4490)) LIMIT 1',
    [c.lon, c.lat],
  );
  const at = { zh: `经度 ${fixed(c.lon, 6)}°，纬度 ${fixed(c.lat, 6)}°`, en: `longitude ${fixed(c.lon, 6)}°, latitude ${fixed(c.lat, 6)}°` };
  const where = county ? { zh: `，${county.name}`, en: `, ${county.name_en || county.name}` } : { zh: '，不在开封市县区内', en: ', outside the counties of Kaifeng' };
  if (c.kind === 'lonlat') {
    return {
      kind: 'coordinates', layer: null, id: null, code: null,
      name: `${fixed(c.lon, 6)}, ${fixed(c.lat, 6)}`, nameEn: null,
      contextZh: `${c.format === 'dms' ? '度分秒' : '经纬度'}（CGCS2000）${where.zh}`,
      contextEn: `${c.format === 'dms' ? 'degrees, minutes, seconds' : 'longitude/latitude'} (CGCS2000)${where.en}`,
      point: [c.lon, c.lat], bbox: null, link: null,
    };
  }
  const zoneZh = `CGCS2000 高斯–克吕格 ${c.zoneWidth}° 带第 ${c.zone} 带（${c.prefixed ? 'Y 含带号' : 'Y 不含带号，按数据范围定带'}）`;
  const zoneEn = `CGCS2000 Gauss–Krüger ${c.zoneWidth}° zone ${c.zone} (${c.prefixed ? 'Y with zone prefix' : 'Y without prefix, zone from the data extent'})`;
  return {
    kind: 'coordinates', layer: null, id: null, code: null,
    name: `X ${fixed(c.northing, 3)}  Y ${fixed(c.easting, 3)}`, nameEn: null,
    contextZh: `${zoneZh} → ${at.zh}${where.zh}`,
    contextEn: `${zoneEn} → ${at.en}${where.en}`,
    point: [c.lon, c.lat], bbox: null, link: null,
  };
}

async function placeResults(db: Queryable, level: 'county' | 'township' | 'village', q: string, limit: number): Promise<SearchResult[]> {
  const rows = await db.query<PlaceRow>(sqlFile(new URL(`./sql/place-${level}.sql`, import.meta.url)), [`%${likeEscape(q)}%`, q, limit]);
  const levelWords = { county: { zh: '县级行政区', en: 'County or district' }, township: { zh: '乡镇', en: 'Township' }, village: { zh: '村', en: 'Village' } }[level];
  return rows.map((r) => {
    const zhParts = [r.county_name, r.township_name].filter(Boolean).join(' ');
    const enParts = [r.county_name_en || r.county_name, r.township_name].filter(Boolean).join(', ');
    return {
      kind: level, layer: PLACE_LAYER[level], id: Number(r.id), code: r.code,
      name: r.name, nameEn: r.name_en || null,
      contextZh: zhParts ? `${levelWords.zh} · ${zhParts}` : levelWords.zh,
      contextEn: enParts ? `${levelWords.en} · ${enParts}` : levelWords.en,
      point: [Number(r.lx), Number(r.ly)], bbox: bboxOf(r),
      link: { kind: 'feature', href: `/api/layers/${PLACE_LAYER[level]}/features/${r.id}` },
    } satisfies SearchResult;
  });
}

async function codeResults(db: Queryable, layer: LayerDefinition, code: string, limit: number, role: Role): Promise<{ exact: SearchResult[]; prefix: SearchResult[] }> {
  const hasCounty = layer.attributes.some((a) => a.name === 'county_code');
  const hasName = layer.attributes.some((a) => a.name === 'name');
  const sql = sqlFile(new URL('./sql/code-search.sql', import.meta.url), {
    table: servedTable(layer),
    code: ident(layer.codeColumn),
    name_column: hasName ? 't.name::text' : 'NULL::text',
    county_join: hasCounty ? 'LEFT JOIN admin_county c ON c.code = t.county_code' : '',
    county_columns: hasCounty ? 'c.name AS county_name, c.name_en AS county_name_en' : 'NULL::text AS county_name, NULL::text AS county_name_en',
  });
  const rows = await db.query<CodeRow>(sql, [code, `${likeEscape(code)}%`, limit]);
  const exact: SearchResult[] = [];
  const prefix: SearchResult[] = [];
  for (const r of rows) {
    const result: SearchResult = {
      kind: codeKind(layer.id), layer: layer.id, id: Number(r.id), code: r.code,
      name: r.name ? `${r.code} ${r.name}` : r.code, nameEn: null,
      contextZh: [layer.nameZh, r.county_name].filter(Boolean).join(' · '),
      contextEn: [layer.nameEn, r.county_name_en || r.county_name].filter(Boolean).join(' · '),
      point: [Number(r.lx), Number(r.ly)], bbox: bboxOf(r),
      link: linkOf(layer, Number(r.id), r.code, role),
    };
    (r.code.toUpperCase() === code ? exact : prefix).push(result);
  }
  return { exact, prefix };
}

/** A query that may be a code: letters, digits and - _ . without spaces, at least 3 characters. */
const CODE_LIKE = /^[A-Za-z0-9][A-Za-z0-9_.-]{2,}$/;
/** A query that may be a place name: anything but a bare number. */
const NAME_LIKE = /[^\d\s.,+-]/;

export async function search(db: Queryable, q: { q: string; limit: number }, role: Role): Promise<SearchResponse> {
  const text = q.q;
  const coords = parseCoordinateQuery(text);
  if (coords && isCoordinateProblem(coords)) throw new AppError(422, 'COORDINATES_INVALID', coords.zh, coords.en);
  if (coords) return { q: text, results: [await coordinateResult(db, coords)], truncated: false };

  const exact: SearchResult[] = [];
  const places: SearchResult[] = [];
  const prefix: SearchResult[] = [];
  const cap = q.limit + 1;
  if (CODE_LIKE.test(text)) {
    const code = text.toUpperCase();
    for (const layer of layers) {
      if (!maySeeLayer(role, layer.sensitivity)) continue;
      // division codes are found as places below
      if (layer.group === 'admin') continue;
      const r = await codeResults(db, layer, code, cap, role);
      exact.push(...r.exact);
      prefix.push(...r.prefix);
    }
  }
  if (NAME_LIKE.test(text) || /^\d{6,12}$/.test(text)) {
    for (const level of ['county', 'township', 'village'] as const) places.push(...(await placeResults(db, level, text, cap)));
  }
  const all = [...exact, ...places, ...prefix];
  return { q: text, results: all.slice(0, q.limit), truncated: all.length > q.limit };
}
