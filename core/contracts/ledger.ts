/**
 * The stock-land ledger (存量土地台账): recording an event on a parcel, its timeline, splits and
 * merges. Transitions in core/ledger.ts; docs/domain.md, "The stock-land ledger".
 */
import { z } from 'zod';
import { yearQueryParam } from './common.ts';
import { DISPOSAL_METHODS, SINGLE_PARCEL_KINDS, STOCK_EVENT_KINDS, SUPPLY_METHODS } from '../ledger.ts';

export { DISPOSAL_METHODS, SINGLE_PARCEL_KINDS, STOCK_EVENT_KINDS, SUPPLY_METHODS };

/** A calendar day, 2025-06-30, that exists; the messages name `field`. */
export const isoDay = (field: string) =>
  z
    .string({ message: `${field}须为日期（如 2025-06-30）` })
    .regex(/^\d{4}-\d{2}-\d{2}$/, `${field}须为日期（如 2025-06-30）`)
    .refine((s) => {
      const d = new Date(`${s}T00:00:00Z`);
      return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
    }, { message: `${field}不是有效的日期`, params: { en: 'is not a valid date' } });

/** Non-empty text of at most `max` characters, trimmed; the messages name `field`. */
export const words = (field: string, max: number) => z.string({ message: `${field}须为文字` }).trim().min(1, `${field}不能为空`).max(max, `${field}最多 ${max} 个字符`);

/** What every event carries: its date and the document it rests on (文号), and an optional note. */
const common = {
  eventDate: isoDay('变动日期'),
  docNo: words('文号', 100),
  note: z.string().trim().max(500, '备注最多 500 个字符').optional(),
};

export const SupplyDetails = z
  .object({
    method: z.enum(SUPPLY_METHODS, { message: `供应方式只能是：${SUPPLY_METHODS.join('、')}` }),
    contractNo: words('合同编号', 100),
    landUser: words('用地单位', 200),
    /** 成交价, 万元; required except for 划拨 (allocated land has no price). */
    priceWan: z.number({ message: '成交价（万元）须为数字' }).min(0, '成交价（万元）不能为负').max(10_000_000, '成交价（万元）最多 10000000').optional(),
  })
  .refine((d) => d.method === '划拨' || d.priceWan !== undefined, {
    message: '除划拨外，供应须给出成交价（万元）',
    params: { en: 'A supply needs its price (10k yuan), except an allocation' },
    path: ['priceWan'],
  });

export const DisposeDetails = z.object({
  method: z.enum(DISPOSAL_METHODS, { message: `处置方式只能是：${DISPOSAL_METHODS.join('、')}` }),
});

export const RedevelopDetails = z.object({ project: words('再开发项目', 200) });

export const IntentDetails = z.object({
  /** The enterprise land request (企业找地) the intent answers, when there is one. */
  requestId: z.number().int().positive().optional(),
  enterprise: words('意向企业', 200),
});

export const IntentWithdrawnDetails = z.object({
  requestId: z.number().int().positive().optional(),
  reason: z.string().trim().max(500, '撤回理由最多 500 个字符').optional(),
});

/** The body of POST /api/stock-parcels/:code/events: one event on that parcel, a union on `kind`. */
export const StockEventRequest = z
  .discriminatedUnion(
    'kind',
    [
      z.object({ kind: z.literal('supply'), ...common, details: SupplyDetails }),
      z.object({ kind: z.literal('dispose'), ...common, details: DisposeDetails }),
      z.object({ kind: z.literal('redevelop'), ...common, details: RedevelopDetails }),
      z.object({ kind: z.literal('intent'), ...common, details: IntentDetails }),
      z.object({ kind: z.literal('intent-withdrawn'), ...common, details: IntentWithdrawnDetails.default({}) }),
    ],
    { message: `变动类型只能是：${SINGLE_PARCEL_KINDS.join('、')}` },
  )
  .meta({ id: 'StockEventRequest' });
export type StockEventRequest = z.infer<typeof StockEventRequest>;

/** What other modules hand to recordStockEvent (server/src/modules/ledger/service.ts): the request and its parcel. */
export type StockEventInput = StockEventRequest & { parcelCode: string };

/** One event as stored (staff's view: every field). */
export const StockEvent = z
  .object({
    id: z.number().int(),
    parcelCode: z.string(),
    kind: z.enum(STOCK_EVENT_KINDS),
    eventDate: z.string(),
    docNo: z.string(),
    actorName: z.string(),
    countyCode: z.string(),
    categoryBefore: z.string().nullable(),
    statusBefore: z.string().nullable(),
    categoryAfter: z.string(),
    statusAfter: z.string(),
    areaM2: z.number(),
    details: z.record(z.string(), z.unknown()),
    createdAt: z.string(),
  })
  .meta({ id: 'StockEvent' });
export type StockEvent = z.infer<typeof StockEvent>;

/** One event as the public sees it: its kind, date and the status it left, nothing of who, contracts or prices. */
export const PublicStockEvent = StockEvent.pick({ id: true, parcelCode: true, kind: true, eventDate: true, categoryAfter: true, statusAfter: true });
export type PublicStockEvent = z.infer<typeof PublicStockEvent>;

const timelineCommon = {
  code: z.string(),
  recordedOn: z.string(),
  status: z.string(),
  category: z.string(),
};

/**
 * A parcel's timeline, oldest first. `full`: the events carry the staff's fields (document
 * numbers, contracts, land users, prices, who) — planners and above; else only kinds, dates and
 * the states they left.
 */
export const StockTimeline = z
  .discriminatedUnion('full', [
    z.object({ ...timelineCommon, full: z.literal(true), events: z.array(StockEvent) }),
    z.object({ ...timelineCommon, full: z.literal(false), events: z.array(PublicStockEvent) }),
  ])
  .meta({ id: 'StockTimeline' });
export type StockTimeline = z.infer<typeof StockTimeline>;

export const StockEventResponse = z.object({ events: z.array(StockEvent), dataVersion: z.string() }).meta({ id: 'StockEventResponse' });
export type StockEventResponse = z.infer<typeof StockEventResponse>;

const Polygonal = z.object({
  type: z.enum(['Polygon', 'MultiPolygon'], { message: '新地块的范围须为 Polygon 或 MultiPolygon' }),
  coordinates: z.array(z.any()).min(1, '新地块的范围不能为空'),
});

/** A new parcel of a split or a merge: its geometry (EPSG:4490) and, optionally, its code and name. */
export const NewParcel = z.object({
  code: z.string().trim().regex(/^[^\s]{1,64}$/, '新地块编号最多 64 个字符且不能含空格').optional(),
  name: z.string().trim().min(1, '新地块名称不能为空').max(200, '新地块名称最多 200 个字符').optional(),
  geometry: Polygonal,
});

/** A dividing line drawn across a parcel (EPSG:4490): the parcel is cut along it. */
const DividingLine = z.object({
  type: z.literal('LineString', { message: '分割线须为 LineString' }),
  coordinates: z
    .array(z.tuple([z.number().min(-180).max(180), z.number().min(-90).max(90)], { message: '分割线的坐标须为 [经度, 纬度]' }))
    .min(2, '分割线至少需要 2 个点')
    .max(1000, '分割线最多 1000 个点'),
});

/**
 * A split: the new parcels' geometries (`children`), or a dividing line (`line`) along which the
 * server cuts the parcel (the pieces' codes and names then default).
 */
export const StockSplitRequest = z
  .object({
    ...common,
    children: z.array(NewParcel).min(2, '分割须给出至少 2 宗新地块').max(50, '分割最多 50 宗新地块').optional(),
    line: DividingLine.optional(),
  })
  .refine((r) => (r.children === undefined) !== (r.line === undefined), {
    message: '须给出新地块（children）或分割线（line）之一，且只给一个',
    params: { en: 'Give the new parcels (children) or a dividing line (line): one of them, not both' },
    path: ['children'],
  })
  .meta({ id: 'StockSplitRequest' });
export type StockSplitRequest = z.infer<typeof StockSplitRequest>;

export const StockMergeRequest = z
  .object({
    ...common,
    parents: z.array(z.string().min(1).max(64)).min(2, '合并须给出至少 2 宗地块').max(20, '合并最多 20 宗地块'),
    code: NewParcel.shape.code,
    name: NewParcel.shape.name,
  })
  .refine((r) => new Set(r.parents).size === r.parents.length, { message: '合并的地块不能重复', params: { en: 'A parcel is named twice' }, path: ['parents'] })
  .meta({ id: 'StockMergeRequest' });
export type StockMergeRequest = z.infer<typeof StockMergeRequest>;

export const StockReshapeResponse = z
  .object({
    /** The codes of the new parcels. */
    children: z.array(z.string()),
    events: z.array(StockEvent),
    dataVersion: z.string(),
  })
  .meta({ id: 'StockReshapeResponse' });
export type StockReshapeResponse = z.infer<typeof StockReshapeResponse>;

// ---------------------------------------------------------------------------------------------
// The ledger as a workbook (provincial layout) and its import back

export const LedgerExportQuery = z.object({
  county: z.string().regex(/^\d{6}$/, '县区须为 6 位行政区划代码').optional().meta({ description: '只导出该县区（6 位行政区划代码）' }),
  year: yearQueryParam('变动记录只列该年度的（按变动日期）；台账表总是当前状态'),
});
export type LedgerExportQuery = z.infer<typeof LedgerExportQuery>;

export const LedgerImportQuery = z.object({
  dryRun: z
    .enum(['true', 'false'], { message: '试导入须为 true 或 false' })
    .default('true')
    .transform((v) => v === 'true')
    .meta({ description: '默认试导入（true）：逐行报告，不登记' }),
});

export const LedgerImportRow = z.object({
  /** The row's number in the 变动记录 sheet (the header is row 1). */
  row: z.number().int(),
  status: z.enum(['ok', 'invalid']),
  parcelCode: z.string().nullable(),
  kind: z.enum(STOCK_EVENT_KINDS).nullable(),
  eventDate: z.string().nullable(),
  reasonZh: z.string().nullable(),
  reasonEn: z.string().nullable(),
});
export type LedgerImportRow = z.infer<typeof LedgerImportRow>;

export const LedgerImportReport = z.object({
  dryRun: z.boolean(),
  /** Rows of the 变动记录 sheet read (blank rows skipped). */
  rows: z.number().int(),
  /** New events that can be recorded (a trial) or were (a commit). */
  ok: z.number().int(),
  invalid: z.number().int(),
  /** Rows that are events already in the ledger, unaltered: left alone. */
  recorded: z.number().int(),
  /** Events recorded by the commit. */
  written: z.number().int(),
  /** The new rows and the refused ones, by row number (the recorded rows only counted). */
  items: z.array(LedgerImportRow),
});
export type LedgerImportReport = z.infer<typeof LedgerImportReport>;

export const LedgerImportJob = z
  .object({
    jobId: z.string(),
    phase: z.string(),
    done: z.number(),
    total: z.number(),
    fileName: z.string(),
    dryRun: z.boolean(),
    startedAt: z.string(),
    finishedAt: z.string().nullable(),
    error: z.object({ code: z.string(), message: z.string() }).nullable(),
    report: LedgerImportReport.nullable(),
  })
  .meta({ id: 'LedgerImportJob' });
export type LedgerImportJob = z.infer<typeof LedgerImportJob>;

export const LedgerImportAccepted = z.object({ jobId: z.string(), dryRun: z.boolean(), statusUrl: z.string() }).meta({ id: 'LedgerImportAccepted' });
export const LedgerJobParams = z.object({ jobId: z.string().uuid('任务号须为 UUID') });
