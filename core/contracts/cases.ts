/**
 * Encroachment review (违法占地图斑核查): the contracts of `/api/cases…` — the case list and
 * its filters, the case page, decisions with optimistic concurrency, batch import as a job
 * with progress, the county view per year, and the exports.
 *
 * Areas are ellipsoidal on CGCS2000 (the site check's engine: ST_Intersection in PostGIS,
 * GeographicLib area in core/ellipsoidal-area.ts), given in m², 公顷 and 亩.
 *
 * Every 4xx is `ErrorResponse` with a message naming the field in Chinese (English when the
 * request's Accept-Language prefers it).
 */
import { z } from 'zod';
import { CASE_OVERLAP_LAYER_IDS } from '../layers.ts';
import {
  CASE_SOURCES,
  CASE_STATUSES,
  CLOSE_TO_LIMIT_MU,
  ILLEGAL_FARMLAND_LIMIT_MU,
  MAX_ACTOR,
  MAX_APPROVAL_NO,
  MAX_COMMENT,
  QUOTA_PENALTY_MU,
} from '../case-status.ts';
import { MAX_RECTIFY_DOC_NO, MAX_RECTIFY_NOTE, RECTIFICATION_STATUSES } from '../rectification.ts';
import { idParam, INT4_MAX, jobProgressFields, yearQueryParam } from './common.ts';
import { isoDay } from './ledger.ts';
import { AreaUnits } from './site-check.ts';

export { CASE_SOURCES, CASE_STATUSES, RECTIFICATION_STATUSES };

/** A comma-separated list of allowed values, e.g. "待核查,需实地核查". */
const listOf = <T extends readonly [string, ...string[]]>(values: T, field: string) =>
  z
    .string()
    .transform((s) => s.split(',').map((v) => v.trim()).filter(Boolean))
    .pipe(z.array(z.enum(values, { message: `${field}只能是：${values.join('、')}` })).min(1, `${field}不能为空`));

const isoDate = (field: string) =>
  z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, `${field}须为日期 YYYY-MM-DD`)
    .refine((s) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s), `${field}不是有效日期`);

const num = (field: string) => z.coerce.number({ message: `${field}须为数字` }).refine(Number.isFinite, `${field}须为数字`);

/** What `minOverlapMu` measures. */
export const OVERLAP_FILTERS = ['farmland', 'permanent-farmland', 'general-farmland', 'eco-redline', 'stock-land', 'any'] as const;

export const CASE_SORTS = [
  '-detectedOn',
  'detectedOn',
  '-area',
  'area',
  '-farmland',
  'farmland',
  '-permanentFarmland',
  '-ecoRedline',
  'code',
  '-code',
  '-decidedAt',
] as const;

// ---------------------------------------------------------------------------------------------
// List

export const CaseListQuery = z
  .object({
    county: z
      .string()
      .regex(/^\d{6}(,\d{6})*$/, '县区须为 6 位行政区划代码，多个用逗号分隔')
      .optional()
      .meta({ description: '县区代码，多个用逗号分隔', example: '410221' }),
    status: listOf(CASE_STATUSES, '核查状态').optional().meta({ description: '核查状态，多个用逗号分隔', example: '待核查,需实地核查' }),
    source: listOf(CASE_SOURCES, '线索来源').optional().meta({ description: '线索来源：卫片、巡查、举报' }),
    from: isoDate('发现日期起').optional().meta({ description: '发现日期不早于（含）', example: '2026-01-01' }),
    to: isoDate('发现日期止').optional().meta({ description: '发现日期不晚于（含）', example: '2026-12-31' }),
    minOverlapMu: num('最小占用面积')
      .min(0, '最小占用面积不能为负')
      .optional()
      .meta({ description: '占用面积下限（亩），占用什么由 overlap 决定' }),
    overlap: z
      .enum(OVERLAP_FILTERS, { message: `占用类型只能是：${OVERLAP_FILTERS.join('、')}` })
      .default('farmland')
      .meta({
        description:
          'minOverlapMu 针对的占用：farmland 耕地（永久基本农田 + 一般耕地）、permanent-farmland、general-farmland、eco-redline 生态保护红线、stock-land 存量土地、any 任一',
      }),
    q: z.string().trim().max(64, '图斑编号关键词最多 64 个字符').optional().meta({ description: '图斑编号（包含即可）' }),
    sort: z
      .enum(CASE_SORTS, { message: `排序只能是：${CASE_SORTS.map((v) => `“${v}”`).join('、')}` })
      .default('-detectedOn')
      .meta({ description: '排序，前缀 - 为降序：detectedOn 发现日期、area 面积、farmland 占用耕地、permanentFarmland、ecoRedline、code、decidedAt' }),
    page: z.coerce.number({ message: '页码须为整数' }).int('页码须为整数').min(1, '页码至少为 1').max(INT4_MAX, `页码最大为 ${INT4_MAX}`).default(1),
    pageSize: z.coerce
      .number({ message: '每页条数须为整数' })
      .int('每页条数须为整数')
      .min(1, '每页条数至少为 1')
      .max(200, '每页条数最多为 200')
      .default(20),
  })
  .refine((q) => q.from === undefined || q.to === undefined || q.from <= q.to, { message: '发现日期起不能晚于发现日期止', path: ['from'], params: { en: 'The detection date “from” may not be after “to”' } });
export type CaseListQuery = z.infer<typeof CaseListQuery>;

/** The export takes the list's filters and sort, without paging. */
export const CaseExportQuery = CaseListQuery;
export type CaseExportQuery = CaseListQuery;

/** How a case lies against the urban development boundary. */
export const UrbanBoundaryPosition = z.enum(['inside', 'partly', 'outside']);

/** A case's overlap figures, computed when the case was seeded or imported (kept as evidence). */
export const CaseOverlapSummary = z.object({
  permanentFarmland: AreaUnits,
  generalFarmland: AreaUnits,
  /** 耕地: permanent + general farmland. */
  farmland: AreaUnits,
  ecoRedline: AreaUnits,
  /** The part on stock land (存量土地图库). */
  stockLand: AreaUnits,
  onStockLand: z.boolean(),
  /** The part inside the urban development boundary. */
  urbanBoundary: AreaUnits,
  /** Share of the case inside the boundary, 0–1. */
  urbanBoundaryShare: z.number(),
  /** inside: no part outside; outside: no part inside (each within 0.01 m²). */
  urbanBoundaryPosition: UrbanBoundaryPosition,
  computedAt: z.string().meta({ description: '计算时间（ISO 8601）' }),
});
export type CaseOverlapSummary = z.infer<typeof CaseOverlapSummary>;

/**
 * A case's township (乡镇): the one holding the largest part of it (admin_township, computed when
 * the case is read, so an imported set of townships counts at once); null when none meets it.
 */
export const CaseTownship = z
  .object({
    code: z.string().meta({ description: '乡镇代码（9 位）' }),
    /** The township's name: data, shown as written. */
    name: z.string(),
  })
  .nullable()
  .meta({ description: '所在乡镇：占图斑面积最大的乡镇级行政区；无乡镇数据时为 null' });
export type CaseTownship = z.infer<typeof CaseTownship>;

export const CaseSummary = z.object({
  id: z.number().int(),
  code: z.string(),
  countyCode: z.string(),
  countyName: z.string(),
  /** The county's name in English (the Chinese one when the data has none). */
  countyNameEn: z.string(),
  township: CaseTownship,
  source: z.enum(CASE_SOURCES),
  detectedOn: z.string().meta({ description: '发现日期 YYYY-MM-DD' }),
  status: z.enum(CASE_STATUSES),
  area: AreaUnits,
  overlaps: CaseOverlapSummary,
  /** 批准文号, only with 合法用地. */
  approvalNo: z.string().nullable(),
  decidedBy: z.string().nullable(),
  decidedAt: z.string().nullable(),
  /** Send it back with a decision: a decision on an older version is refused with 409. */
  version: z.number().int(),
  /** A point inside the case, [lon, lat] (EPSG:4490). */
  center: z.tuple([z.number(), z.number()]),
});
export type CaseSummary = z.infer<typeof CaseSummary>;

export const CaseListResponse = z
  .object({
    total: z.number().int(),
    page: z.number().int(),
    pageSize: z.number().int(),
    items: z.array(CaseSummary),
    /** How many cases of each status the other filters select (for status tabs). */
    statusCounts: z.record(z.enum(CASE_STATUSES), z.number().int()),
  })
  .meta({ id: 'CaseListResponse' });
export type CaseListResponse = z.infer<typeof CaseListResponse>;

// ---------------------------------------------------------------------------------------------
// Case page

export const CaseIdParams = z.object({
  id: idParam('图斑编号'),
});

/** The layers whose features a case lists as overlaps (`caseOverlap` in the registry). */
export { CASE_OVERLAP_LAYER_IDS };

/** One feature a case overlaps. */
export const CaseOverlapFeature = z.object({
  layerId: z.enum(CASE_OVERLAP_LAYER_IDS),
  layerNameZh: z.string(),
  layerNameEn: z.string(),
  featureId: z.number().int(),
  featureCode: z.string(),
  /** A name for the feature: land class (farmland), name (red line, boundary), category and name (stock land). */
  label: z.string().nullable(),
  /** The label's word of an enumeration — land class (farmland), category (stock land) — with its English in core/vocabulary.ts. */
  labelWord: z.string().nullable(),
  /** The label's name (red line, boundary, stock parcel): data, not translated. */
  labelName: z.string().nullable(),
  overlapArea: AreaUnits,
  /** Share of the case, 0–1. */
  shareOfCase: z.number(),
});

/** One decision in a case's history (append-only). */
export const CaseDecisionEntry = z.object({
  id: z.number().int(),
  at: z.string().meta({ description: '时间（ISO 8601）' }),
  actor: z.string(),
  fromStatus: z.enum(CASE_STATUSES),
  toStatus: z.enum(CASE_STATUSES),
  approvalNo: z.string().nullable(),
  comment: z.string().nullable(),
  /** The case's version after this decision. */
  version: z.number().int(),
  /** Every field the decision changed. */
  changes: z.record(z.string(), z.object({ from: z.string().nullable(), to: z.string().nullable() })),
});
export type CaseDecisionEntry = z.infer<typeof CaseDecisionEntry>;

const Geometry = z.object({ type: z.enum(['Polygon', 'MultiPolygon']), coordinates: z.array(z.any()) });

/**
 * A case's rectification (整改) as it stands (core/rectification.ts): the deadline set, whether
 * and when it was done, and how that stands against the rule's 31 December of the detection year.
 */
export const CaseRectification = z.object({
  status: z.enum(RECTIFICATION_STATUSES),
  deadline: z.string().nullable().meta({ description: '整改期限 YYYY-MM-DD；未设定为 null' }),
  doneOn: z.string().nullable().meta({ description: '整改完成日期 YYYY-MM-DD；未整改为 null' }),
  /** The latest entry's note and document number, who made it and when. */
  note: z.string().nullable(),
  docNo: z.string().nullable(),
  updatedBy: z.string().nullable(),
  updatedAt: z.string().nullable(),
  /** 31 December of the detection year: the rule's deadline. */
  dueBy: z.string().meta({ description: '规则要求的整改截止日：发现年度的 12 月 31 日' }),
  /** Done on or before dueBy. */
  inTime: z.boolean(),
  /** Not done, and its deadline (or dueBy) has passed. */
  overdue: z.boolean(),
});
export type CaseRectification = z.infer<typeof CaseRectification>;

/** One entry of a case's rectification history (append-only), with the state it left. */
export const CaseRectificationEntry = z.object({
  id: z.number().int(),
  at: z.string().meta({ description: '时间（ISO 8601）' }),
  actor: z.string(),
  status: z.enum(RECTIFICATION_STATUSES),
  deadline: z.string().nullable(),
  doneOn: z.string().nullable(),
  docNo: z.string().nullable(),
  note: z.string(),
  /** Every field the entry changed: deadline, status, doneOn. */
  changes: z.record(z.string(), z.object({ from: z.string().nullable(), to: z.string().nullable() })),
});
export type CaseRectificationEntry = z.infer<typeof CaseRectificationEntry>;

export const CaseDetail = CaseSummary.extend({
  /** The polygon, EPSG:4490 (auditors see restricted data). */
  geometry: Geometry,
  /** The comment of the latest decision. */
  comment: z.string().nullable(),
  /** Every feature it overlaps, by layer (permanent farmland, red line, general farmland, boundary, stock land), largest first. */
  overlapFeatures: z.array(CaseOverlapFeature),
  /**
   * The layers whose overlaps were recomputed after a version change of that layer, and against
   * which version (占用面积按永久基本农田第 N 版重算); empty: as computed when the case came in.
   */
  overlapsAsOf: z.array(
    z.object({
      layerId: z.enum(CASE_OVERLAP_LAYER_IDS),
      layerNameZh: z.string(),
      layerNameEn: z.string(),
      /** null for a layer without versions (stock land). */
      versionNo: z.number().int().nullable(),
      at: z.string().meta({ description: '重算时间（ISO 8601）' }),
    }),
  ),
  /** Decisions, oldest first. */
  history: z.array(CaseDecisionEntry),
  /**
   * The rectification: present for a case confirmed illegal (未整改 until recorded otherwise),
   * and for a case re-decided since that has a rectification history; null otherwise.
   */
  rectification: CaseRectification.nullable(),
  /** Rectification entries, oldest first. */
  rectificationHistory: z.array(CaseRectificationEntry),
  /** Whether a rectification may be recorded now (the case is confirmed illegal). */
  mayRectify: z.boolean(),
  /** What may be decided next (core/case-status.ts). */
  allowedTransitions: z.array(z.object({ status: z.enum(CASE_STATUSES), needsComment: z.boolean() })),
  createdAt: z.string(),
  /** The batch import that brought it in; null for cases loaded with the dataset. */
  importId: z.string().nullable(),
}).meta({ id: 'CaseDetail' });
export type CaseDetail = z.infer<typeof CaseDetail>;

/**
 * A decision. `version` is the case version the auditor loaded; when the case has changed
 * since, the decision is refused with 409 and nothing is written.
 *
 * Who decides comes from the session (the signed-in auditor); an `actor` in the body is accepted
 * for compatibility and ignored.
 */
export const CaseDecisionRequest = z
  .object({
    version: z.number({ message: '版本须为整数' }).int('版本须为整数').min(1, '版本至少为 1').max(INT4_MAX, `版本最大为 ${INT4_MAX}`),
    status: z.enum(CASE_STATUSES, { message: `核查结论只能是：${CASE_STATUSES.join('、')}` }),
    approvalNo: z
      .string({ message: '批准文号须为文字' })
      .trim()
      .max(MAX_APPROVAL_NO, `批准文号最多 ${MAX_APPROVAL_NO} 个字符`)
      .nullish()
      .meta({ description: '批准文号：结论为合法用地时必填，其他结论不填' }),
    comment: z
      .string({ message: '核查意见须为文字' })
      .trim()
      .max(MAX_COMMENT, `核查意见最多 ${MAX_COMMENT} 个字符`)
      .nullish()
      .meta({ description: '核查意见：改判已办结的图斑或补充更正时必填' }),
    actor: z
      .string({ message: '核查人须为文字' })
      .trim()
      .max(MAX_ACTOR, `核查人最多 ${MAX_ACTOR} 个字符`)
      .optional()
      .meta({ description: '不再使用：核查人取自登录会话（签名用户的姓名）' }),
  })
  .meta({ id: 'CaseDecisionRequest' });
export type CaseDecisionRequest = z.infer<typeof CaseDecisionRequest>;

/**
 * A rectification entry (整改): a deadline, the rectification done (with its date) or found not
 * done after all, with a note and optionally its document number. Who records it comes from the
 * session. Only a case confirmed illegal is rectified (409 otherwise); a completion date before
 * the detection date or after today, or a deadline before the detection date, is refused with 422.
 */
export const CaseRectificationRequest = z
  .object({
    deadline: isoDay('整改期限').nullish().meta({ description: '整改期限 YYYY-MM-DD（不早于发现日期）；null 清除期限；不给则不变' }),
    done: z.boolean({ message: '是否已整改须为 true 或 false' }).optional().meta({ description: 'true 标记已完成整改（须给 doneOn）；false 改回未整改（如复查未通过）；不给则不变' }),
    doneOn: isoDay('整改完成日期').optional().meta({ description: '整改完成日期 YYYY-MM-DD：不早于发现日期，不晚于今天（北京时间）；仅与 done=true 一起' }),
    docNo: z
      .string({ message: '整改文书号须为文字' })
      .trim()
      .max(MAX_RECTIFY_DOC_NO, `整改文书号最多 ${MAX_RECTIFY_DOC_NO} 个字符`)
      .nullish()
      .meta({ description: '整改文书号，如限期整改通知书或复查意见的文号' }),
    note: z
      .string({ message: '整改说明须为文字' })
      .trim()
      .min(1, '整改说明不能为空')
      .max(MAX_RECTIFY_NOTE, `整改说明最多 ${MAX_RECTIFY_NOTE} 个字符`)
      .meta({ description: '整改说明：责令整改的内容、整改情况或复查意见' }),
  })
  .refine((r) => r.done !== true || r.doneOn !== undefined, {
    message: '标记已整改须给出整改完成日期',
    params: { en: 'Marking it rectified needs the date it was done' },
    path: ['doneOn'],
  })
  .refine((r) => r.doneOn === undefined || r.done === true, {
    message: '整改完成日期只在标记已整改（done=true）时填写',
    params: { en: 'A completion date is only given when marking it rectified' },
    path: ['doneOn'],
  })
  .refine((r) => r.deadline !== undefined || r.done !== undefined, {
    message: '请给出整改期限或整改情况（是否已整改）',
    params: { en: 'Give a deadline or whether it is rectified' },
    path: ['done'],
  })
  .meta({ id: 'CaseRectificationRequest' });
export type CaseRectificationRequest = z.infer<typeof CaseRectificationRequest>;

// ---------------------------------------------------------------------------------------------
// County view

export const CaseStatsQuery = z.object({
  year: yearQueryParam('年度（按发现日期）；默认今年（北京时间）'),
});

export const CountyStanding = z.enum(['over', 'close', 'ok']);

/** A clause of the rule (core/rectification.ts): more than 20 亩, or not rectified within the year. */
export const RuleClause = z.enum(['farmland', 'rectification']);

export const CountyCaseStats = z.object({
  countyCode: z.string(),
  countyName: z.string(),
  countyNameEn: z.string(),
  /** Cases detected in the year. */
  cases: z.number().int(),
  /** Of which undecided (待核查 or 需实地核查). */
  pending: z.number().int(),
  /** Of which 需实地核查. */
  fieldCheck: z.number().int(),
  /** Of which confirmed illegal (违法占用). */
  illegal: z.number().int(),
  /** Farmland (permanent + general) occupied by the confirmed illegal cases. */
  illegalFarmland: AreaUnits,
  /** Of which permanent farmland. */
  illegalPermanentFarmland: AreaUnits,
  /** Ecological red line occupied by the confirmed illegal cases. */
  illegalEcoRedline: AreaUnits,
  /** Of the confirmed illegal cases, those occupying farmland (the ones to rectify within the year). */
  illegalOnFarmland: z.number().int(),
  /**
   * Of those, not rectified by 31 December of the year — for the running year: not rectified yet
   * (they may still be, by 31 December); for a past year: a breach.
   */
  unrectified: z.number().int(),
  /** Their farmland. */
  unrectifiedFarmland: AreaUnits,
  /** Of the unrectified, those rectified after the year (past years only). */
  rectifiedLate: z.number().int(),
  /** Of those not rectified at all, the ones whose deadline has passed. */
  overdue: z.number().int(),
  /** The earliest deadline among the cases not rectified at all; null when none has one. */
  earliestDeadline: z.string().nullable(),
  /**
   * over: penalised — more than 20 亩 of illegal farmland (judged on 亩 at 2 decimals), or, for a
   * past year, a case not rectified within it; close: at risk — from 15 亩, or cases still to
   * rectify in the running year; ok otherwise.
   */
  standing: CountyStanding,
  /** Why it is penalised: the clauses that hold, in the rule's order (empty unless over). */
  breaches: z.array(RuleClause),
  /** Why it is at risk without a breach of that clause: near the limit, or cases to rectify by 31 December. */
  warnings: z.array(RuleClause),
  /** 200 亩 of next year's quota when over (once, whichever clause or both), else 0. */
  quotaPenaltyMu: z.number(),
  /** 亩 left before the limit (negative when over). */
  headroomMu: z.number(),
  /**
   * The townships with the most farmland illegally occupied in the year (at most three, largest
   * first; a case counts in the township holding its largest part).
   */
  topTownships: z.array(
    z.object({
      code: z.string(),
      name: z.string(),
      illegal: z.number().int(),
      illegalFarmland: AreaUnits,
    }),
  ),
  /** The cases counted in `unrectified`, earliest deadline first (at most five). */
  unrectifiedCases: z.array(
    z.object({
      id: z.number().int(),
      code: z.string(),
      detectedOn: z.string(),
      deadline: z.string().nullable(),
      /** Rectified after the year (a past year's late rectification); null when not rectified. */
      doneOn: z.string().nullable(),
      farmland: AreaUnits,
    }),
  ),
});
export type CountyCaseStats = z.infer<typeof CountyCaseStats>;

/** The per-county fields the city total does not judge. */
const UNJUDGED = { standing: true, breaches: true, warnings: true, quotaPenaltyMu: true, headroomMu: true, topTownships: true, unrectifiedCases: true, earliestDeadline: true } as const;

export const CaseStatsResponse = z
  .object({
    year: z.number().int(),
    thresholds: z.object({
      limitMu: z.literal(ILLEGAL_FARMLAND_LIMIT_MU),
      closeMu: z.literal(CLOSE_TO_LIMIT_MU),
      penaltyMu: z.literal(QUOTA_PENALTY_MU),
      /** The rule in both languages and its source (core/rectification.ts). */
      ruleZh: z.string(),
      ruleEn: z.string(),
      sourceZh: z.string(),
      sourceEn: z.string(),
    }),
    /** 31 December of the year: the day by which its cases are to be rectified. */
    rectifyBy: z.string(),
    /** Whether the year is over (Beijing time): an unrectified case is then a breach, not a warning. */
    yearClosed: z.boolean(),
    /** Today in Beijing, the day the figures were read. */
    asOf: z.string(),
    /** Every county of admin_county, by code, cases or not. */
    counties: z.array(CountyCaseStats),
    /** The city: the counties summed (standing of the city is not judged). */
    total: CountyCaseStats.omit(UNJUDGED).extend({
      /** Counties penalised (over), and at risk (close). */
      countiesOver: z.number().int(),
      countiesClose: z.number().int(),
      /** Counties over 20 亩, and counties with cases not rectified within the year (a breach once it is over, a warning while it runs). */
      countiesOverLimit: z.number().int(),
      countiesUnrectified: z.number().int(),
      /** The quota the penalised counties lose, summed. */
      quotaPenaltyMu: z.number(),
    }),
    /** Years that have cases, newest first (for a year picker). */
    years: z.array(z.number().int()),
  })
  .meta({ id: 'CaseStatsResponse' });
export type CaseStatsResponse = z.infer<typeof CaseStatsResponse>;

// ---------------------------------------------------------------------------------------------
// Batch import

const boolParam = (field: string) =>
  z
    .enum(['true', 'false', '1', '0'], { message: `${field}须为 true 或 false` })
    .transform((v) => v === 'true' || v === '1');

/** The default share above which a new polygon counts as a duplicate of a case it overlaps. */
export const DEFAULT_DUPLICATE_SHARE = 0.5;

/**
 * `POST /api/cases/import` query. The file goes as multipart field `file` (GeoJSON or a zipped
 * Shapefile, read as the site check reads them). Per feature, optional attributes: code
 * (code/CODE/编号/图斑编号/TBBH), source (source/SOURCE/来源/线索来源) and detection date
 * (detectedOn/detected_on/DETECTED/发现日期/JCRQ); missing ones take `source` and `detectedOn`.
 */
export const CaseImportQuery = z.object({
  dryRun: boolParam('试导入')
    .default(true)
    .meta({ description: '试导入：只检查并报告，不写入（默认 true）；确认后以 dryRun=false 再提交同一文件' }),
  duplicateShare: num('重复阈值')
    .gt(0, '重复阈值须大于 0')
    .max(1, '重复阈值最大为 1')
    .default(DEFAULT_DUPLICATE_SHARE)
    .meta({ description: '重叠面积 ÷ 两者中较小图斑面积超过此比例即视为重复，默认 0.5' }),
  includeDuplicates: z
    .string()
    .regex(/^\d+(,\d+)*$/, '仍导入的重复行须为行号，多个用逗号分隔')
    .transform((s) => [...new Set(s.split(',').map(Number))])
    .optional()
    .meta({ description: '仍要导入的重复行的行号，逗号分隔', example: '3,7' }),
  source: z
    .enum(CASE_SOURCES, { message: `线索来源只能是：${CASE_SOURCES.join('、')}` })
    .default('卫片')
    .meta({ description: '要素未写来源时的线索来源，默认卫片' }),
  detectedOn: isoDate('发现日期').optional().meta({ description: '要素未写发现日期时使用（该行注明 DATE_DEFAULTED）；不给时，未写发现日期的行判为无效（DATE_MISSING），不会按今天记录' }),
  actor: z.string().trim().max(MAX_ACTOR, `导入人最多 ${MAX_ACTOR} 个字符`).optional().meta({ description: '不再使用：导入人取自登录会话（记入导入批次）' }),
});
export type CaseImportQuery = z.infer<typeof CaseImportQuery>;

export const CaseImportAccepted = z
  .object({
    jobId: z.string(),
    dryRun: z.boolean(),
    /** Poll this for progress and the report. */
    statusUrl: z.string(),
    total: z.number().int(),
  })
  .meta({ id: 'CaseImportAccepted' });
export type CaseImportAccepted = z.infer<typeof CaseImportAccepted>;

export const ImportRowReason = z.object({ code: z.string(), zh: z.string(), en: z.string() });

export const ImportRow = z.object({
  /** 1-based, in the order of the file's polygon features (records without a polygon are skipped and not numbered; see warnings). */
  row: z.number().int(),
  status: z.enum(['ok', 'invalid', 'duplicate']),
  /** The code given in the file, or the one assigned at commit; null in a dry run without one. */
  code: z.string().nullable(),
  countyCode: z.string().nullable(),
  /** The county's name (absent in a report written before it was given). */
  countyName: z.string().nullable().optional(),
  /** Its English name (pinyin), likewise. */
  countyNameEn: z.string().nullable().optional(),
  source: z.string().nullable(),
  detectedOn: z.string().nullable(),
  area: AreaUnits.nullable(),
  reasons: z.array(ImportRowReason),
  /** What the row was given without refusing it, e.g. DATE_DEFAULTED (absent in older reports). */
  notes: z.array(ImportRowReason).optional(),
  /** The existing cases (code) or earlier rows (row) it overlaps by more than the duplicate share. */
  duplicateOf: z.array(z.object({ caseCode: z.string().nullable(), caseId: z.number().int().nullable(), row: z.number().int().nullable(), share: z.number() })),
  /** Whether the commit created a case from it, and which. */
  created: z.boolean(),
  caseId: z.number().int().nullable(),
});
export type ImportRow = z.infer<typeof ImportRow>;

export const CaseImportReport = z.object({
  dryRun: z.boolean(),
  fileName: z.string(),
  detected: z.object({ format: z.string(), crs: z.string(), encoding: z.string().nullable() }),
  warnings: z.array(ImportRowReason),
  duplicateShare: z.number(),
  counts: z.object({
    rows: z.number().int(),
    ok: z.number().int(),
    invalid: z.number().int(),
    duplicate: z.number().int(),
    /** Cases created (0 in a dry run). */
    created: z.number().int(),
    duplicatesIncluded: z.number().int(),
  }),
  rows: z.array(ImportRow),
  /** The import batch id (commit only). */
  importId: z.string().nullable(),
  elapsedMs: z.number(),
});
export type CaseImportReport = z.infer<typeof CaseImportReport>;

export const IMPORT_PHASES = ['queued', 'validating', 'duplicates', 'saving', 'overlaps', 'done', 'failed', 'cancelled'] as const;

/**
 * An import job. `done`/`total` count the rows of the current phase; `progress` (0–1) is the
 * whole job's, for one progress bar. Jobs are rows of the database's job table (layer_job): they
 * survive a restart of the server, and any instance answers them. A trial run that is `done`
 * keeps its checked rows for 24 hours, to be committed with POST …/{jobId}/commit.
 */
export const CaseImportJob = z
  .object({
    ...jobProgressFields,
    dryRun: z.boolean(),
    fileName: z.string(),
    phase: z.enum(IMPORT_PHASES),
    report: CaseImportReport.nullable(),
  })
  .meta({ id: 'CaseImportJob' });
export type CaseImportJob = z.infer<typeof CaseImportJob>;

/** Committing a trial run from the rows it checked (no second upload). */
export const CaseImportCommitRequest = z
  .object({
    includeDuplicates: z
      .array(z.number().int('行号须为整数').min(1, '行号从 1 开始').max(INT4_MAX, '行号过大'))
      .max(200_000, '仍导入的重复行过多')
      .transform((rows) => [...new Set(rows)].sort((a, b) => a - b))
      .optional()
      .meta({ description: '仍要导入的重复行的行号', example: [3, 7] }),
  })
  .meta({ id: 'CaseImportCommitRequest' });
export type CaseImportCommitRequest = z.infer<typeof CaseImportCommitRequest>;

export const ImportJobParams = z.object({ jobId: z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, '导入任务号格式不正确') });
