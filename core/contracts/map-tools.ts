/** The map's tools: identify (every layer at a point) and search (places, codes, coordinates). */
import { z } from 'zod';
import { LAYER_IDS } from '../layers.ts';

const lonLat = z.tuple([z.number(), z.number()]);
const bbox = z.tuple([z.number(), z.number(), z.number(), z.number()]);

export const IDENTIFY_TOLERANCE_MAX_PX = 30;
export const IDENTIFY_PER_LAYER_MAX = 20;

export const IdentifyQuery = z.object({
  lon: z.coerce.number({ message: '经度须为数字' }).min(-180, '经度须在 −180…180 之间').max(180, '经度须在 −180…180 之间'),
  lat: z.coerce.number({ message: '纬度须为数字' }).min(-90, '纬度须在 −90…90 之间').max(90, '纬度须在 −90…90 之间'),
  zoom: z.coerce.number({ message: '缩放级别须为数字' }).min(0, '缩放级别须在 0–24 之间').max(24, '缩放级别须在 0–24 之间'),
  /** Pixels around the point a feature may be from it (at the zoom, on the screen). */
  tolerance: z.coerce
    .number({ message: '容差（像素）须为数字' })
    .min(0, '容差（像素）不能为负')
    .max(IDENTIFY_TOLERANCE_MAX_PX, `容差（像素）最多 ${IDENTIFY_TOLERANCE_MAX_PX}`)
    .default(4),
  /** Comma-separated layer ids to ask (default: every layer the caller may see). */
  layers: z
    .string()
    .optional()
    .transform((s, ctx) => {
      if (s === undefined || s.trim() === '') return undefined;
      const ids = s.split(',').map((x) => x.trim()).filter(Boolean);
      const unknown = ids.filter((id) => !(LAYER_IDS as readonly string[]).includes(id));
      if (unknown.length) {
        ctx.addIssue({ code: 'custom', message: `没有这些图层：${unknown.join('、')}`, params: { en: `No such layers: ${unknown.join(', ')}` } });
        return z.NEVER;
      }
      return ids;
    }),
  limit: z.coerce.number().int('每层条数须为整数').min(1, '每层条数至少为 1').max(IDENTIFY_PER_LAYER_MAX, `每层条数最多 ${IDENTIFY_PER_LAYER_MAX}`).default(5),
});

/** Where a hit leads: the stock parcel's page, the case's page (auditors), or the feature's record. */
export const MapLink = z.object({ kind: z.enum(['stock-parcel', 'case', 'feature']), href: z.string() });

export const IdentifyFeature = z.object({
  id: z.number().int(),
  code: z.string().nullable(),
  /** The layer's key attributes (the tile attributes, the name and the area), as the features endpoint writes them. */
  properties: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
  /** The county the feature is in, by name ('' when it names none). */
  countyName: z.string().nullable(),
  countyNameEn: z.string().nullable(),
  /** Metres from the point (0 when it lies inside). */
  distanceM: z.number(),
  bbox,
  link: MapLink,
});
export type IdentifyFeature = z.infer<typeof IdentifyFeature>;

export const IdentifyLayer = z.object({
  layer: z.enum(LAYER_IDS),
  nameZh: z.string(),
  nameEn: z.string(),
  features: z.array(IdentifyFeature),
  /** More features lay within the tolerance than `limit`. */
  truncated: z.boolean(),
});

export const IdentifyResponse = z
  .object({
    point: lonLat,
    /** The tolerance on the ground, metres. */
    toleranceM: z.number(),
    /** Layers with a feature at the point, topmost first (the map's draw order reversed). */
    layers: z.array(IdentifyLayer),
    /** Layers this caller may not see (always every restricted layer for the public, whether or not one lies here). */
    withheld: z.array(z.enum(LAYER_IDS)),
  })
  .meta({ id: 'IdentifyResponse' });
export type IdentifyResponse = z.infer<typeof IdentifyResponse>;

export const SEARCH_LIMIT_MAX = 50;

export const SearchQuery = z.object({
  q: z
    .string({ message: '检索内容为必填项' })
    .transform((s) => s.trim())
    .pipe(z.string().min(1, '检索内容不能为空').max(100, '检索内容最多 100 个字符')),
  limit: z.coerce.number().int('条数上限须为整数').min(1, '条数上限至少为 1').max(SEARCH_LIMIT_MAX, `条数上限最多为 ${SEARCH_LIMIT_MAX}`).default(10),
});

export const SEARCH_KINDS = ['coordinates', 'county', 'township', 'village', 'stock-parcel', 'case', 'field', 'feature'] as const;

export const SearchResult = z.object({
  kind: z.enum(SEARCH_KINDS),
  layer: z.enum(LAYER_IDS).nullable(),
  id: z.number().int().nullable(),
  code: z.string().nullable(),
  /** What the result is called: a place's name, a parcel's code and name, the coordinates as read. */
  name: z.string(),
  /** The name in English where the data has one (a county), else null. */
  nameEn: z.string().nullable(),
  /** Where it lies, in words: the county (and township) of a place or feature; the zone of GK coordinates. */
  contextZh: z.string(),
  contextEn: z.string(),
  point: lonLat,
  /** The feature's extent (null for coordinates: the map centres on the point). */
  bbox: bbox.nullable(),
  link: MapLink.nullable(),
});
export type SearchResult = z.infer<typeof SearchResult>;

export const SearchResponse = z
  .object({
    q: z.string(),
    results: z.array(SearchResult),
    truncated: z.boolean(),
  })
  .meta({ id: 'SearchResponse' });
export type SearchResponse = z.infer<typeof SearchResponse>;
