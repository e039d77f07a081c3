/**
 * GeoJSON site files: a FeatureCollection, a Feature, or a bare Polygon /
 * MultiPolygon (also inside a GeometryCollection). Points and lines are not a
 * site and are refused with the reason. A `crs` member (GDAL still writes one) is read in every
 * spelling of an EPSG code or CRS84 (crs.ts) and placed or refused by it — never ignored; without
 * one, coordinates are taken as lon/lat (EPSG:4490) unless they look projected.
 *
 * @example readGeoJson('{"type":"Polygon","coordinates":[[[114.3,34.8],[114.31,34.8],[114.31,34.81],[114.3,34.8]]]}')
 */
import { crsFromGeoJsonMember } from './crs.ts';
import { ParseError, warn } from './errors.ts';
import { GIS_ORDER, toProperties, type RawRead } from './raw.ts';
import type { ParseWarning, RawFeature, RawPolygons, RawPosition, SiteFormat, SiteProperties } from './types.ts';

const LINEAR = new Set(['Point', 'MultiPoint', 'LineString', 'MultiLineString']);

const typeZh: Record<string, string> = {
  Point: '点',
  MultiPoint: '多点',
  LineString: '线',
  MultiLineString: '多线',
};

/**
 * The 1-based line of a character offset, for "第 3 行附近".
 *
 * @example lineOfOffset('a\nb\nc', 4) // 3
 */
export function lineOfOffset(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/**
 * JSON.parse with an error that names the line.
 *
 * @example parseJson('{"a":1,}') // throws ParseError INVALID_JSON "…（第 1 行附近）"
 */
export function parseJson(text: string, what = 'GeoJSON'): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    const pos = /position (\d+)/.exec(message)?.[1];
    const lineCol = /line (\d+)/.exec(message)?.[1];
    const line = pos !== undefined ? lineOfOffset(text, Number(pos)) : lineCol !== undefined ? Number(lineCol) : undefined;
    throw new ParseError(
      'INVALID_JSON',
      `${what} 文件不是有效的 JSON${line ? `（第 ${line} 行附近）` : ''}`,
      `The ${what} file is not valid JSON${line ? ` (near line ${line})` : ''}`,
    );
  }
}

function badCoordinates(index: number): ParseError {
  return new ParseError(
    'GEOJSON_INVALID',
    `第 ${index} 个要素的坐标格式不对：面的坐标应为 [[[经度, 纬度], …]]`,
    `Feature ${index} has malformed coordinates: a polygon's are [[[lon, lat], …]]`,
  );
}

function toPosition(value: unknown, index: number): RawPosition {
  if (!Array.isArray(value) || value.length < 2) throw badCoordinates(index);
  const [a, b] = value as unknown[];
  if (typeof a !== 'number' || typeof b !== 'number') {
    throw new ParseError(
      'COORD_NOT_NUMBER',
      `第 ${index} 个要素的坐标不是数字：${JSON.stringify(value).slice(0, 60)}`,
      `Feature ${index} has a coordinate that is not a number: ${JSON.stringify(value).slice(0, 60)}`,
    );
  }
  return [a, b];
}

function toRings(value: unknown, index: number): RawPosition[][] {
  if (!Array.isArray(value) || value.length === 0) throw badCoordinates(index);
  return value.map((ring) => {
    if (!Array.isArray(ring)) throw badCoordinates(index);
    return ring.map((p) => toPosition(p, index));
  });
}

export interface GeometryLike {
  type?: unknown;
  coordinates?: unknown;
  geometries?: unknown;
}

/** Polygons of a geometry; counts what is not a polygon in `others`. Exported for the streaming reader (formats/stream/geojson.ts). */
export function polygonsOf(geometry: GeometryLike, index: number, others: Map<string, number>): RawPolygons {
  const type = String(geometry.type);
  if (type === 'Polygon') return [toRings(geometry.coordinates, index)];
  if (type === 'MultiPolygon') {
    if (!Array.isArray(geometry.coordinates)) throw badCoordinates(index);
    return geometry.coordinates.map((poly) => toRings(poly, index));
  }
  if (type === 'GeometryCollection' && Array.isArray(geometry.geometries)) {
    return geometry.geometries.flatMap((g: GeometryLike) => (g && typeof g === 'object' ? polygonsOf(g, index, others) : []));
  }
  if (LINEAR.has(type)) {
    others.set(type, (others.get(type) ?? 0) + 1);
    return [];
  }
  throw new ParseError('GEOJSON_INVALID', `第 ${index} 个要素的几何类型“${type}”不是 GeoJSON 类型`, `Feature ${index} has geometry type "${type}", which is not GeoJSON`);
}

/**
 * Turns parsed GeoJSON-like features into raw features (shared with KML). Refuses
 * points and lines when nothing else is there; skips them with a warning otherwise.
 */
export function rawFromFeatures(
  items: { geometry: GeometryLike | null; properties: SiteProperties }[],
  format: SiteFormat,
  warnings: ParseWarning[],
): RawFeature[] {
  const others = new Map<string, number>();
  let empty = 0;
  const features: RawFeature[] = [];
  items.forEach((item, i) => {
    if (!item.geometry) {
      empty++;
      return;
    }
    const polygons = polygonsOf(item.geometry, i + 1, others);
    if (polygons.length > 0) features.push({ properties: item.properties, polygons });
  });
  const fileZh = format === 'kml' ? 'KML' : 'GeoJSON';
  const listZh = [...others].map(([t, n]) => `${n} 个${typeZh[t] ?? t}（${t}）`).join('、');
  const listEn = [...others].map(([t, n]) => `${n} ${t}`).join(', ');
  if (features.length === 0) {
    if (others.size > 0) {
      throw new ParseError(
        format === 'kml' ? 'KML_NOT_POLYGON' : 'GEOJSON_NOT_POLYGON',
        `${fileZh} 中只有点或线要素（${listZh}），用地范围须为面（Polygon / MultiPolygon）`,
        `The ${fileZh} holds only points or lines (${listEn}); a site must be a polygon (Polygon / MultiPolygon)`,
      );
    }
    throw new ParseError('NO_FEATURES', `${fileZh} 中没有面要素`, `The ${fileZh} holds no polygon`);
  }
  if (others.size > 0) {
    warnings.push(
      warn('SKIPPED_NON_POLYGON', `已忽略不是面的要素：${listZh}`, `Skipped features that are not polygons: ${listEn}`),
    );
  }
  if (empty > 0) {
    warnings.push(warn('SKIPPED_EMPTY', `已忽略 ${empty} 个没有几何的要素`, `Skipped ${empty} features without geometry`));
  }
  return features;
}

/**
 * Reads a GeoJSON text into raw features.
 *
 * @example readGeoJson(text).features.length // number of polygon features
 */
export function readGeoJson(text: string): RawRead {
  const json = parseJson(text);
  const warnings: ParseWarning[] = [];
  if (!json || typeof json !== 'object' || Array.isArray(json) || typeof (json as { type?: unknown }).type !== 'string') {
    throw new ParseError('GEOJSON_INVALID', '不是 GeoJSON：缺少 "type"', 'Not GeoJSON: "type" is missing');
  }
  const root = json as { type: string; features?: unknown; geometry?: unknown; properties?: unknown; crs?: unknown; name?: unknown };
  let items: { geometry: GeometryLike | null; properties: SiteProperties }[];
  const asItem = (f: unknown) => {
    const feature = f as { geometry?: unknown; properties?: unknown } | null;
    const geometry = feature?.geometry && typeof feature.geometry === 'object' ? (feature.geometry as GeometryLike) : null;
    return { geometry, properties: toProperties(feature?.properties) };
  };
  if (root.type === 'FeatureCollection') {
    if (!Array.isArray(root.features)) throw new ParseError('GEOJSON_INVALID', 'FeatureCollection 缺少 "features" 数组', 'The FeatureCollection has no "features" array');
    if (root.features.length === 0) throw new ParseError('NO_FEATURES', 'GeoJSON 中没有要素（要素列表为空）', 'The GeoJSON holds no features (features is empty)');
    items = root.features.map(asItem);
  } else if (root.type === 'Feature') {
    items = [asItem(root)];
  } else {
    items = [{ geometry: root as GeometryLike, properties: {} }];
  }
  const features = rawFromFeatures(items, 'geojson', warnings);
  const declared = crsFromGeoJsonMember(root.crs);
  // the collection's own name (ogr2ogr writes the layer's), or a lone Feature's
  const name = typeof root.name === 'string' && root.name.trim() ? root.name.trim() : undefined;
  return { format: 'geojson', features, ...(declared ? { declared } : {}), ...(name ? { name } : {}), naturalOrder: GIS_ORDER, orderIsConvention: true, warnings };
}
