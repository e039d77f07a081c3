import { z } from 'zod';
import { idParam } from './common.ts';

/** A feature in a path: `/api/layers/{layer}/features/{id}`. */
export const FeatureIdParam = idParam('要素编号');

/** "minLon,minLat,maxLon,maxLat" in EPSG:4490 degrees. */
export const BboxParam = z
  .string()
  .transform((s, ctx) => {
    const parts = s.split(',').map((p) => p.trim());
    const nums = parts.map(Number);
    if (parts.length !== 4 || parts.some((p) => p === '') || nums.some((n) => !Number.isFinite(n))) {
      ctx.addIssue({ code: 'custom', message: '范围（经纬度）须为 4 个数字：最小经度,最小纬度,最大经度,最大纬度' });
      return z.NEVER;
    }
    const [minLon, minLat, maxLon, maxLat] = nums as [number, number, number, number];
    if (minLon < -180 || maxLon > 180 || minLat < -90 || maxLat > 90) {
      ctx.addIssue({ code: 'custom', message: '范围（经纬度）超出经纬度范围（经度 −180…180，纬度 −90…90）' });
      return z.NEVER;
    }
    if (minLon >= maxLon || minLat >= maxLat) {
      ctx.addIssue({ code: 'custom', message: '范围（经纬度）的最小值须小于最大值' });
      return z.NEVER;
    }
    return [minLon, minLat, maxLon, maxLat] as [number, number, number, number];
  })
  .meta({ example: '114.30,34.76,114.36,34.80' });

export const FEATURE_LIMIT_MAX = 5000;

export const FeaturesQuery = z.object({
  bbox: BboxParam,
  limit: z.coerce
    .number({ message: '条数上限须为整数' })
    .int('条数上限须为整数')
    .min(1, '条数上限至少为 1')
    .max(FEATURE_LIMIT_MAX, `条数上限最多为 ${FEATURE_LIMIT_MAX}`)
    .default(1000),
});

const Geometry = z.object({ type: z.string(), coordinates: z.array(z.any()) });
const Properties = z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()]));

export const FeatureSchema = z
  .object({ type: z.literal('Feature'), id: z.number().int(), properties: Properties, geometry: Geometry })
  .meta({ id: 'Feature' });

export const FeatureCollectionResponse = z
  .object({
    type: z.literal('FeatureCollection'),
    features: z.array(FeatureSchema),
    /** True when more features matched than `limit`; only the first `limit` are returned. */
    truncated: z.boolean(),
    limit: z.number().int(),
  })
  .meta({ id: 'FeatureCollection' });
export type FeatureCollectionResponse = z.infer<typeof FeatureCollectionResponse>;

export const AreaUnitsSchema = z.object({ m2: z.number(), ha: z.number(), mu: z.number() });

export const FeatureDetailResponse = FeatureSchema.extend({
  layer: z.string(),
  area: AreaUnitsSchema,
}).meta({ id: 'FeatureDetail' });
export type FeatureDetailResponse = z.infer<typeof FeatureDetailResponse>;

export const CountySchema = z.object({
  code: z.string(),
  name: z.string(),
  /** In English ('' when the data has none). */
  nameEn: z.string(),
  level: z.string(),
  areaM2: z.number(),
  bbox: z.tuple([z.number(), z.number(), z.number(), z.number()]),
  /** A point inside the county, for its label. */
  labelPoint: z.tuple([z.number(), z.number()]),
});
export const CountiesResponse = z.array(CountySchema).meta({ id: 'Counties' });
export type County = z.infer<typeof CountySchema>;

export const TileJsonResponse = z
  .object({
    tilejson: z.literal('3.0.0'),
    name: z.string(),
    description: z.string(),
    tiles: z.array(z.string()),
    minzoom: z.number().int(),
    maxzoom: z.number().int(),
    bounds: z.tuple([z.number(), z.number(), z.number(), z.number()]).optional(),
    vector_layers: z.array(
      z.object({ id: z.string(), description: z.string(), minzoom: z.number(), maxzoom: z.number(), fields: z.record(z.string(), z.string()) }),
    ),
  })
  .meta({ id: 'TileJSON' });

/**
 * A base map the workspace may offer besides the offline one: raster tiles (Tianditu and the
 * bureau's own services through the server's proxy, BASEMAP_URL directly) with an optional
 * annotation layer drawn above, or the vector base map from the PMTiles file placed on the server.
 */
export const BasemapSchema = z.object({
  id: z.string(),
  name: z.string(),
  /** The English name (absent: the name is shown as it is). */
  nameEn: z.string().optional(),
  /** raster tiles; the vector base map from a PMTiles file (`url`) or from an MBTiles file (`tiles`). */
  kind: z.enum(['raster', 'pmtiles', 'vector']).optional(),
  tiles: z.array(z.string()),
  /** Annotation tiles (Tianditu's cva/cia/cta) drawn above the data layers' fills. */
  labelTiles: z.array(z.string()).optional(),
  /** The PMTiles file's address (kind pmtiles). */
  url: z.string().optional(),
  attribution: z.string(),
  minzoom: z.number().optional(),
  maxzoom: z.number(),
});
export const ClientConfigResponse = z
  .object({
    /** External raster base maps configured on the server; the offline base map is always available. */
    basemaps: z.array(BasemapSchema),
    /** Zoom at which tiles stop being requested and are over-zoomed. */
    maxTileZoom: z.number().int(),
    /** The loaded dataset's extent (Kaifeng's, or the province's): where coordinates typed or drawn must lie. */
    dataExtent: z
      .object({ minLon: z.number(), minLat: z.number(), maxLon: z.number(), maxLat: z.number(), zh: z.string(), en: z.string() })
      .optional(),
  })
  .meta({ id: 'ClientConfig' });
export type ClientConfig = z.infer<typeof ClientConfigResponse>;
export type Basemap = z.infer<typeof BasemapSchema>;
