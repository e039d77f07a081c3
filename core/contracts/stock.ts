/** Stock-land search (存量土地查询): filters, sorting, paging and the answer. */
import { z } from 'zod';
import { AreaUnits } from './site-check.ts';

export const STOCK_CATEGORIES = ['批而未供', '闲置土地', '低效用地'] as const;
export const STOCK_STATUSES = ['可供应', '已意向', '已供应'] as const;
export const PLANNED_USES = ['工业', '仓储', '商业', '商务', '住宅', '公共管理与公共服务'] as const;
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
      .optional(),
    page: z.coerce.number().int('page 须为整数').min(1, 'page 至少为 1').default(1),
    pageSize: z.coerce.number().int('pageSize 须为整数').min(1, 'pageSize 至少为 1').max(200, 'pageSize 最多为 200').default(20),
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
  /** Metres from `near`, when given. */
  distanceM: z.number().nullable(),
});

export const StockSearchResponse = z
  .object({
    total: z.number().int(),
    page: z.number().int(),
    pageSize: z.number().int(),
    items: z.array(StockParcelSummary),
  })
  .meta({ id: 'StockSearchResponse' });
export type StockSearchResponse = z.infer<typeof StockSearchResponse>;
