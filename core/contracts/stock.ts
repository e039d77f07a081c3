/** Stock-land search (存量土地查询): filters, sorting, paging and the answer. */
import { z } from 'zod';
import { AreaUnits, MatchTally, SiteGeometry } from './site-check.ts';
import { INT4_MAX } from './common.ts';
import { PLANNED_USES, COMBINATION_MAX_GAP_M } from '../stock-match.ts';

export { PLANNED_USES };

export const STOCK_CATEGORIES = ['批而未供', '闲置土地', '低效用地'] as const;
export const STOCK_STATUSES = ['可供应', '已意向', '已供应'] as const;
export const STOCK_SORTS = ['area', '-area', 'price', '-price', 'date', '-date', 'distance'] as const;

/** A comma-separated list of allowed values, e.g. "工业,仓储". */
const listOf = <T extends readonly [string, ...string[]]>(values: T, field: string) =>
  z
    .string()
    .transform((s) => s.split(',').map((v) => v.trim()).filter(Boolean))
    .pipe(z.array(z.enum(values, { message: `${field} 只能是：${values.join('、')}` })).min(1, `${field} 不能为空`));

const num = (field: string) => z.coerce.number({ message: `${field} 须为数字` }).refine(Number.isFinite, `${field} 须为数字`);

export const StockSearchQuery = z
  .object({
    county: z.string().regex(/^\d{6}(,\d{6})*$/, 'county 须为 6 位行政区划代码，多个用逗号分隔').optional(),
    category: listOf(STOCK_CATEGORIES, 'category').optional(),
    use: listOf(PLANNED_USES, 'use').optional(),
    /** Defaults to 可供应; "all" for every status. */
    status: z.union([z.literal('all'), listOf(STOCK_STATUSES, 'status')]).optional(),
    minArea: num('minArea').min(0, 'minArea 不能为负').optional(),
    maxArea: num('maxArea').min(0, 'maxArea 不能为负').optional(),
    /** Unit of minArea/maxArea: 亩 (mu, default), 公顷 (ha) or m². */
    areaUnit: z.enum(['mu', 'ha', 'm2'], { message: 'areaUnit 只能是 mu、ha 或 m2' }).default('mu'),
    minPlotRatio: num('minPlotRatio').min(0).optional(),
    maxPlotRatio: num('maxPlotRatio').min(0).optional(),
    /** Reference price, 万元/亩. */
    minPrice: num('minPrice').min(0, 'minPrice 不能为负').optional(),
    maxPrice: num('maxPrice').min(0, 'maxPrice 不能为负').optional(),
    /** Free text on parcel code and name. */
    q: z.string().trim().max(100, 'q 最多 100 个字符').optional(),
    sort: z.enum(STOCK_SORTS, { message: `sort 只能是：${STOCK_SORTS.join('、')}` }).default('-area'),
    /** "lon,lat" (EPSG:4490), required for sort=distance. */
    near: z
      .string()
      .regex(/^-?\d+(\.\d+)?,-?\d+(\.\d+)?$/, 'near 须为 “经度,纬度”')
      .transform((s) => s.split(',').map(Number) as [number, number])
      .refine(([lon, lat]) => Math.abs(lon) <= 180 && Math.abs(lat) <= 90, 'near 超出经纬度范围（经度 −180…180，纬度 −90…90）')
      .optional(),
    page: z.coerce.number({ message: 'page 须为整数' }).int('page 须为整数').min(1, 'page 至少为 1').max(INT4_MAX, `page 最大为 ${INT4_MAX}`).default(1),
    pageSize: z.coerce.number({ message: 'pageSize 须为整数' }).int('pageSize 须为整数').min(1, 'pageSize 至少为 1').max(200, 'pageSize 最多为 200').default(20),
  })
  .refine((q) => q.minArea === undefined || q.maxArea === undefined || q.minArea <= q.maxArea, {
    message: 'minArea 不能大于 maxArea',
    path: ['minArea'],
  })
  .refine((q) => q.minPrice === undefined || q.maxPrice === undefined || q.minPrice <= q.maxPrice, {
    message: 'minPrice 不能大于 maxPrice',
    path: ['minPrice'],
  })
  .refine((q) => q.minPlotRatio === undefined || q.maxPlotRatio === undefined || q.minPlotRatio <= q.maxPlotRatio, {
    message: 'minPlotRatio 不能大于 maxPlotRatio',
    path: ['minPlotRatio'],
  })
  .refine((q) => q.sort !== 'distance' || q.near !== undefined, { message: '按距离排序需要 near（经度,纬度）', path: ['near'] });
export type StockSearchQuery = z.infer<typeof StockSearchQuery>;

export const StockParcelSummary = z.object({
  id: z.number().int(),
  code: z.string(),
  name: z.string(),
  countyCode: z.string(),
  countyName: z.string(),
  /** The county's name in English (the Chinese one when the data has none). */
  countyNameEn: z.string(),
  category: z.string(),
  fourUnStage: z.string().nullable(),
  plannedUse: z.string(),
  area: AreaUnits,
  plotRatioMin: z.number().nullable(),
  plotRatioMax: z.number().nullable(),
  approvalNo: z.string().nullable(),
  approvalDate: z.string().nullable(),
  status: z.string(),
  refPrice: z.number().nullable(),
  zoneName: z.string().nullable(),
  contactDept: z.string(),
  /** A point inside the parcel, [lon, lat]. */
  center: z.tuple([z.number(), z.number()]),
  /** Metres from `near` to the parcel's inner point (CGCS2000 local plane), when given. */
  distanceM: z.number().nullable(),
});
export type StockParcelSummary = z.infer<typeof StockParcelSummary>;

export const StockSearchResponse = z
  .object({
    total: z.number().int(),
    page: z.number().int(),
    pageSize: z.number().int(),
    items: z.array(StockParcelSummary),
  })
  .meta({ id: 'StockSearchResponse' });
export type StockSearchResponse = z.infer<typeof StockSearchResponse>;

/** The filtered list as a file: the same filters, every matching row (no paging). */
export const StockExportQuery = StockSearchQuery;
export type StockExportQuery = StockSearchQuery;

const Geometry = z.object({ type: z.string(), coordinates: z.array(z.any()) });

/** How a parcel stands against the control lines: figures and words only, never their geometry. */
export const StockStanding = z.object({
  urbanBoundary: z.object({
    /** Share of the parcel inside the urban development boundary, 0–1. */
    share: z.number(),
    inside: z.boolean(),
    name: z.string().nullable(),
  }),
  permanentFarmland: AreaUnits,
  generalFarmland: AreaUnits,
  ecoRedline: AreaUnits,
  /** Overlaps permanent farmland or the red line: never proposed by the matcher. */
  conflict: z.boolean(),
  /** 可供应 and no conflict: the matcher may propose it. */
  proposable: z.boolean(),
  summaryZh: z.string(),
  summaryEn: z.string(),
});
export type StockStanding = z.infer<typeof StockStanding>;

export const StockParcelDetail = StockParcelSummary.extend({
  /** The parcel itself (stock land is public), EPSG:4490. */
  geometry: Geometry,
  standing: StockStanding,
  dataVersion: z.string(),
}).meta({ id: 'StockParcelDetail' });
export type StockParcelDetail = z.infer<typeof StockParcelDetail>;

export const StockCodeParams = z.object({ code: z.string().min(1).max(64) });

const PointGeometry = z.object({
  type: z.literal('Point'),
  coordinates: z.tuple([z.number().min(-180).max(180), z.number().min(-90).max(90)]),
});

export const StockMatchRequest = z
  .object({
    use: z.enum(PLANNED_USES, { message: `use 只能是：${PLANNED_USES.join('、')}` }),
    areaMu: z.number({ message: 'areaMu 须为数字' }).positive('areaMu 须大于 0').max(150_000, 'areaMu 最多 150000 亩').optional(),
    areaHa: z.number({ message: 'areaHa 须为数字' }).positive('areaHa 须大于 0').max(10_000, 'areaHa 最多 10000 公顷').optional(),
    /** A point or the site polygon the parcels should be near. */
    near: z.union([PointGeometry, SiteGeometry]).optional(),
    maxDistanceKm: z.number().positive('maxDistanceKm 须大于 0').max(200, 'maxDistanceKm 最多 200').optional(),
    /**
     * Match as the site check's stock-first step does: within the server's stock-first search
     * radius (STOCK_FIRST_RADIUS_KM, default 10 km), which the answer's need.maxDistanceKm gives.
     */
    stockFirst: z.boolean({ message: 'stockFirst 须为 true 或 false' }).optional(),
    county: z.string().regex(/^\d{6}$/, 'county 须为 6 位行政区划代码').optional(),
    limit: z.number().int().min(1, 'limit 至少为 1').max(50, 'limit 最多为 50').default(10),
  })
  .refine((r) => (r.areaMu === undefined) !== (r.areaHa === undefined), { message: '须给出 areaMu 或 areaHa 之一', path: ['areaMu'] })
  .refine((r) => r.maxDistanceKm === undefined || r.near !== undefined, { message: 'maxDistanceKm 需要同时给出 near', path: ['near'] })
  .refine((r) => !r.stockFirst || r.near !== undefined, { message: 'stockFirst 需要同时给出 near（选址）', path: ['near'] })
  .refine((r) => !r.stockFirst || r.maxDistanceKm === undefined, { message: 'stockFirst 按服务器配置的存量优先搜索半径套核，不能同时给出 maxDistanceKm', path: ['maxDistanceKm'] })
  .meta({ id: 'StockMatchRequest' });
export type StockMatchRequest = z.infer<typeof StockMatchRequest>;

export const ScorePart = z.object({
  key: z.enum(['areaFit', 'useCompatibility', 'distance', 'availability']),
  weight: z.number(),
  value: z.number().nullable(),
  points: z.number(),
  detailZh: z.string(),
  detailEn: z.string(),
});

export const MatchParcel = StockParcelSummary.extend({ useFit: z.enum(['same', 'compatible']) });

export const MatchCandidate = z.object({
  rank: z.number().int(),
  kind: z.enum(['single', 'combination']),
  score: z.number(),
  parts: z.array(ScorePart),
  parcels: z.array(MatchParcel),
  totalArea: AreaUnits,
  /** Metres from `near` to the nearest parcel of the offer (its centre point), when given. */
  distanceM: z.number().nullable(),
  /** The parcel, or the union of a combination's parcels (null only where the caller asked for none). */
  geometry: Geometry.nullable(),
});
export type MatchCandidate = z.infer<typeof MatchCandidate>;

// defined beside the site-check report, which files a match's tally too
export { MatchTally };

export const StockMatchResponse = z
  .object({
    need: z.object({
      use: z.enum(PLANNED_USES),
      area: AreaUnits,
      uses: z.array(z.string()),
      county: z.string().nullable(),
      maxDistanceKm: z.number().nullable(),
      located: z.boolean(),
    }),
    dataVersion: z.string(),
    tally: MatchTally,
    summaryZh: z.string(),
    summaryEn: z.string(),
    /** The parcels within this gap count as adjacent for a combination. */
    combinationGapM: z.literal(COMBINATION_MAX_GAP_M),
    candidates: z.array(MatchCandidate),
  })
  .meta({ id: 'StockMatchResponse' });
export type StockMatchResponse = z.infer<typeof StockMatchResponse>;
