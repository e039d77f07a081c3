/**
 * Reading an uploaded file with the shared parsers, GeoPackage read first (geopackage.ts): what a
 * parse worker runs (parse-pool.ts). Its first feature table goes on as GeoJSON with its EPSG
 * code, and a warning says which table was read. ParseErrors pass through.
 */
import { parseSiteFile, SITE_FILE_LIMITS, type ParseInput, type ParseOptions, type ParseResult } from './index.ts';
import { geoPackageToGeoJson, isGeoPackage } from './geopackage.ts';

export async function parseFile(input: ParseInput, options: ParseOptions): Promise<ParseResult> {
  if (!('bytes' in input) || !isGeoPackage(input.bytes)) return parseSiteFile(input, options);
  const gpkg = await geoPackageToGeoJson(input.bytes, options.limits ?? SITE_FILE_LIMITS);
  const parsed = await parseSiteFile({ fileName: input.fileName.replace(/\.gpkg$/i, '') + '.geojson', bytes: new TextEncoder().encode(gpkg.geojson) }, options);
  const others = gpkg.others.length ? `；另有 ${gpkg.others.length} 个图层（${gpkg.others.join('、')}）未读取` : '';
  const othersEn = gpkg.others.length ? `; ${gpkg.others.length} more (${gpkg.others.join(', ')}) not read` : '';
  parsed.warnings.unshift({
    code: 'GEOPACKAGE_TABLE',
    zh: `读取了 GeoPackage 图层“${gpkg.table}”（${gpkg.crs ?? '未声明坐标系'}）${others}`,
    en: `Read the GeoPackage table "${gpkg.table}" (${gpkg.crs ?? 'no coordinate system declared'})${othersEn}`,
  });
  return parsed;
}
