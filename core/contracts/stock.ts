/** Stock-land search (存量土地查询): filters, sorting, paging and the answer. */
import { z } from 'zod';
import { AreaUnits, MatchTally, SiteGeometry } from './site-check.ts';
import { INT4_MAX } from './common.ts';
import { PLANNED_USES, COMBINATION_MAX_GAP_M } from '../stock-match.ts';

export { PLANNED_USES };

export const STOCK_CATEGORIES = ['批而未供', '闲置土地', '低效用地'] as const;
/** The statuses search filters by; 已注销 (retired by a split or merge) is served nowhere (core/ledger.ts). */
export const STOCK_STATUSES = ['可供应', '已意向', '已供应', '已盘活'] as const;
export const STOCK_SORTS = ['area', '-area', 'price', '-price', 'date', '-date', 'distance'] as const;

/** A comma-separated list of allowed values, e.g. "工业,仓储". */
const listOf = <T extends readonly [string, ...string[]]>(values: T, field: string) =>
  z
    .string()
    .transform((s) => s.split(',').map((v) => v.trim()).filter(Boolean))
    .pipe(z.array(z.enum(values, { message: `${field}只能是：${values.join('、')}` })).min(1, `${field}不能为空`));

const num = (field: string) => z.coerce.number({ message: `${field}须为数字` }).refine(Number.isFinite, `${field}须为数字`);

export const StockSearchQuery = z
  .object({
    county: z.string().regex(/^\d{6}(,\d{6})*$/, '县区须为 6 位行政区划代码，多个用逗号分隔').optional(),
    category: listOf(STOCK_CATEGORIES, '存量类型').optional(),
    use: listOf(PLANNED_USES, '规划用途').optional(),
    /** Defaults to 可供应; "all" for every status. */
    status: z.union([z.literal('all'), listOf(STOCK_STATUSES, '供应状态')], { error: `供应状态只能是：all（全部）或 ${STOCK_STATUSES.join('、')}` }).optional(),
    minArea: num('最小面积').min(0, '最小面积不能为负').optional(),
    maxArea: num('最大面积').min(0, '最大面积不能为负').optional(),
    /** Unit of minArea/maxArea: 亩 (mu, default), 公顷 (ha) or m². */
    areaUnit: z.enum(['mu', 'ha', 'm2'], { message: '面积单位只能是 mu、ha 或 m2' }).default('mu'),
    minPlotRatio: num('最小容积率').min(0, '最小容积率不能为负').optional(),
    maxPlotRatio: num('最大容积率').min(0, '最大容积率不能为负').optional(),
    /** Reference price, 万元/亩. */
    minPrice: num('最低参考价').min(0, '最低参考价不能为负').optional(),
    maxPrice: num('最高参考价').min(0, '最高参考价不能为负').optional(),
    /** Free text on parcel code and name. */
    q: z.string().trim().max(100, '关键词最多 100 个字符').optional(),
    sort: z.enum(STOCK_SORTS, { message: `排序只能是：${STOCK_SORTS.map((v) => `“${v}”`).join('、')}` }).default('-area'),
    /** "lon,lat" (EPSG:4490), required for sort=distance. */
    near: z
      .string()
      .regex(/^-?\d+(\.\d+)?,-?\d+(\.\d+)?$/, '位置须为“经度,纬度”')
      .transform((s) => s.split(',').map(Number) as [number, number])
      .refine(([lon, lat]) => Math.abs(lon) <= 180 && Math.abs(lat) <= 90, '位置超出经纬度范围（经度 −180…180，纬度 −90…90）')
      .optional(),
    page: z.coerce.number({ message: '页码须为整数' }).int('页码须为整数').min(1, '页码至少为 1').max(INT4_MAX, `页码最大为 ${INT4_MAX}`).default(1),
    pageSize: z.coerce.number({ message: '每页条数须为整数' }).int('每页条数须为整数').min(1, '每页条数至少为 1').max(200, '每页条数最多为 200').default(20),
  })
  .refine((q) => q.minArea === undefined || q.maxArea === undefined || q.minArea <= q.maxArea, {
    message: '最小面积不能大于最大面积',
    params: { en: 'The minimum area may not exceed the maximum' },
    path: ['minArea'],
  })
  .refine((q) => q.minPrice === undefined || q.maxPrice === undefined || q.minPrice <= q.maxPrice, {
    message: '最低参考价不能大于最高参考价',
    params: { en: 'The minimum price may not exceed the maximum' },
    path: ['minPrice'],
  })
  .refine((q) => q.minPlotRatio === undefined || q.maxPlotRatio === undefined || q.minPlotRatio <= q.maxPlotRatio, {
    message: '最小容积率不能大于最大容积率',
    params: { en: 'The minimum plot ratio may not exceed the maximum' },
    path: ['minPlotRatio'],
  })
  .refine((q) => q.sort !== 'distance' || q.near !== undefined, { message: '按距离排序需要给出位置（经度,纬度）', path: ['near'], params: { en: 'Sorting by distance needs a location (lon,lat)' } });
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
    use: z.enum(PLANNED_USES, { message: `规划用途只能是：${PLANNED_USES.join('、')}` }),
    areaMu: z.number({ message: '面积（亩）须为数字' }).positive('面积（亩）须大于 0').max(150_000, '面积（亩）最多 150000 亩').optional(),
    areaHa: z.number({ message: '面积（公顷）须为数字' }).positive('面积（公顷）须大于 0').max(10_000, '面积（公顷）最多 10000 公顷').optional(),
    /** A point or the site polygon the parcels should be near. */
    near: z.union([PointGeometry, SiteGeometry]).optional(),
    maxDistanceKm: z.number().positive('最大距离（千米）须大于 0').max(200, '最大距离（千米）最多 200').optional(),
    /**
     * Match as the site check's stock-first step does: within the server's stock-first search
     * radius (STOCK_FIRST_RADIUS_KM, default 10 km), which the answer's need.maxDistanceKm gives.
     */
    stockFirst: z.boolean({ message: '存量优先须为 true 或 false' }).optional(),
    county: z.string().regex(/^\d{6}$/, '县区须为 6 位行政区划代码').optional(),
    limit: z.number().int().min(1, '候选数至少为 1').max(50, '候选数最多为 50').default(10),
  })
  .refine((r) => (r.areaMu === undefined) !== (r.areaHa === undefined), { message: '须给出面积（亩或公顷）之一，且只给一个', path: ['areaMu'], params: { en: 'Area (mu) or area (ha): give one of them, not both' } })
  .refine((r) => r.maxDistanceKm === undefined || r.near !== undefined, { message: '给出最大距离时须同时给出位置', path: ['near'], params: { en: 'Location is needed with a maximum distance' } })
  .refine((r) => !r.stockFirst || r.near !== undefined, { message: '按存量优先匹配时须同时给出选址', path: ['near'], params: { en: 'The site is needed to match as the stock-first step does' } })
  .refine((r) => !r.stockFirst || r.maxDistanceKm === undefined, {
    message: '按存量优先匹配时使用服务器配置的搜索半径，不能同时给出最大距离',
    path: ['maxDistanceKm'],
    params: { en: 'Matching as the stock-first step uses the server’s search radius: give no maximum distance with it' },
  })
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
