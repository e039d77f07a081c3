/**
 * Contracts of `POST /api/geometry/parse`: the site-file parse endpoint.
 * The response carries the parsed features (EPSG:4490), what was detected for the user
 * to confirm or override, warnings, and a validation per feature.
 */
import { z } from 'zod';
import { ErrorResponse } from './common.ts';
import { SiteProvenance } from './site-check.ts';

/** The largest upload accepted, in bytes (20 MB). */
export const MAX_SITE_FILE_BYTES = 20 * 1024 * 1024;

/** Text encodings a user may force (server/src/formats/parsers/types.ts TextEncoding). */
export const TEXT_ENCODINGS = ['utf-8', 'gbk', 'gb18030', 'big5'] as const;

/**
 * `acceptApproximateDatum=true`: the planner accepts that a file on Beijing 1954 / Xi'an 1980 with no
 * shift parameters is placed approximately (its numbers read as CGCS2000, tens of metres off) instead
 * of being refused (DATUM_NEEDS_TRANSFORM). Shared by every route that parses a file.
 */
export const AcceptApproximateDatum = z
  .enum(['true', 'false'], { message: '接受近似位置须为 true 或 false' })
  .transform((v) => v === 'true')
  .optional()
  .meta({ description: '无转换参数的 1954 北京 / 1980 西安坐标系文件：true 时按 CGCS2000 近似放置（偏差数十米，报告标红），否则拒绝' });

/** Query parameters that override detection. */
export const ParseQuery = z.object({
  crs: z
    .string()
    .max(64)
    .optional()
    .meta({ description: '坐标系：EPSG 代码（EPSG:4490、EPSG:4326、EPSG:4513–4554、EPSG:4491–4512、UTM、EPSG:3857、1954 北京 / 1980 西安坐标系的分带等），或 lonlat / gk', example: 'EPSG:4526' }),
  zone: z.coerce.number().int('带号须为整数').min(1, '带号至少为 1').max(120, '带号最多为 120').optional().meta({ description: '高斯-克吕格带号', example: 38 }),
  zoneWidth: z
    .enum(['3', '6'], { message: '分带宽度须为 3 或 6' })
    .transform((v) => (v === '3' ? 3 : 6) as 3 | 6)
    .optional()
    .meta({ description: '分带：3 度或 6 度' }),
  axisOrder: z
    .enum(['xy', 'yx'], { message: '坐标轴顺序须为 xy 或 yx' })
    .optional()
    .meta({ description: 'xy：先经度/东坐标；yx：先纬度/北坐标（测量习惯 X 为北坐标）' }),
  encoding: z
    .enum(TEXT_ENCODINGS, { message: '文字编码须为 utf-8、gbk、gb18030 或 big5' })
    .optional()
    .meta({ description: '文本与属性编码：utf-8、gbk（代码页 936）、gb18030（54936）、big5（950，繁体）' }),
  acceptApproximateDatum: AcceptApproximateDatum,
});
export type ParseQuery = z.infer<typeof ParseQuery>;

/** `application/json` body: pasted text (coordinates or a 界址点 file). */
export const ParseTextBody = z.object({ text: z.string().min(1, '粘贴的文字不能为空') });

const Position = z.array(z.number());
const PolygonGeometry = z.object({ type: z.literal('Polygon'), coordinates: z.array(z.array(Position)) });
const MultiPolygonGeometry = z.object({ type: z.literal('MultiPolygon'), coordinates: z.array(z.array(z.array(Position))) });

export const SiteFeatureSchema = z.object({
  type: z.literal('Feature'),
  properties: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
  geometry: z.discriminatedUnion('type', [PolygonGeometry, MultiPolygonGeometry]),
});

export const ParseWarningSchema = z.object({
  code: z.string().meta({ example: 'AREA_MISMATCH' }),
  zh: z.string(),
  en: z.string(),
});

export const DetectedSchema = z.object({
  format: z.enum(['geojson', 'shapefile', 'boundary-points', 'kml', 'coordinates']),
  crs: z.string().meta({ example: 'EPSG:4526' }),
  zone: z.number().int().optional(),
  zoneWidth: z.union([z.literal(3), z.literal(6)]).optional(),
  axisOrder: z.enum(['lonlat', 'northing-easting']),
  encoding: z.enum([...TEXT_ENCODINGS, 'utf-16le', 'utf-16be']).optional(),
  datum: z.enum(['cgcs2000', 'wgs84', 'xian80', 'beijing54', 'other']).meta({ description: '文件坐标的大地基准（转换前）' }),
  epsg: z.number().int().optional().meta({ description: '文件坐标系的 EPSG 代码', example: 2414 }),
  crsName: z.string().optional().meta({ example: 'Beijing 1954 / 3-degree Gauss-Kruger zone 38' }),
  datumTransform: z.enum(['none', 'file-parameters', 'bureau-parameters', 'approximate']).meta({
    description: '如何换算到 CGCS2000：none（本为 CGCS2000/WGS84）、file-parameters（文件的转换参数）、bureau-parameters（本局配置的参数）、approximate（无参数，规划人员确认按近似位置接受）',
  }),
  datumAssumed: z.literal(true).optional().meta({
    description: '文件未声明坐标系，平面坐标按 CGCS2000 处理（datum 为假定值，警告 CRS_UNDECLARED / HEADER_CRS_ASSUMED 说明）',
  }),
});

export const GeometryProblemSchema = z.object({
  code: z.string().meta({ example: 'SELF_INTERSECTION' }),
  zh: z.string(),
  en: z.string(),
  location: z.tuple([z.number(), z.number()]).optional(),
});

export const SiteValidationSchema = z.object({ valid: z.boolean(), problems: z.array(GeometryProblemSchema) });

export const ParseResponse = z
  .object({
    features: z.object({ type: z.literal('FeatureCollection'), features: z.array(SiteFeatureSchema) }),
    detected: DetectedSchema,
    warnings: z.array(ParseWarningSchema),
    /** `validateSiteGeometry` of each feature, in the same order. */
    validation: z.array(SiteValidationSchema),
    /** Where the site comes from, for the site check to file with it (SiteCheckRequest.provenance). */
    provenance: SiteProvenance,
    /**
     * The project's name as the file gives it (项目名称, a GeoJSON `name`, a feature's name or a
     * 界址点 header's 地块名称); null when it gives none (the page then takes the file's name).
     */
    name: z.string().nullable(),
  })
  .meta({ id: 'ParseResponse' });
export type ParseResponse = z.infer<typeof ParseResponse>;

/** 400/413/415/422 bodies: the shared error shape. */
export const ParseErrorResponse = ErrorResponse;
