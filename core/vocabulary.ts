/**
 * The English of the words the data is written with: one table per enumeration (the codes the
 * register, the surveys and the review use as attribute values, stored in Chinese), for the
 * client's English pages and the server's English exports alike.
 *
 * A value with no entry is data, not a word of an enumeration (a parcel's or a project's name,
 * an address, an approval number, a department): it is shown as it is, marked as untranslated
 * data (`data-i18n="data"` in the client).
 *
 * @example vocabularyEn(STOCK_STATUS_EN, '可供应') // 'Available'
 * @example vocabularyEn(STOCK_STATUS_EN, '某地块') // null (not a word of the table)
 */

/** zh value → English. */
export type Vocabulary = Readonly<Record<string, string>>;

/** A value's English in a table, or null when the value is not one of the table's words. */
export function vocabularyEn(table: Vocabulary | undefined, value: string): string | null {
  if (!table) return null;
  return Object.prototype.hasOwnProperty.call(table, value) ? table[value]! : null;
}

/** 存量类型: the stock-land library's categories. */
export const STOCK_CATEGORY_EN = {
  批而未供: 'Approved, not supplied',
  闲置土地: 'Idle land',
  低效用地: 'Inefficiently used land',
} as const satisfies Vocabulary;

/** 供应状态 of a stock parcel. */
export const STOCK_STATUS_EN = {
  可供应: 'Available',
  已意向: 'Reserved',
  已供应: 'Supplied',
  /** Disposed of or redeveloped (盘活): in use again, no longer offered. */
  已盘活: 'Revitalised',
  /** Retired by a split or a merge: kept for its history, shown nowhere else. */
  已注销: 'Retired',
} as const satisfies Vocabulary;

/** 供应方式 of a supply event (供地方式). */
export const SUPPLY_METHOD_EN = {
  出让: 'Sale of use rights',
  划拨: 'Allocation',
  租赁: 'Lease',
  先租后让: 'Lease, then sale',
} as const satisfies Vocabulary;

/** 处置方式 of idle land (闲置土地处置). */
export const DISPOSAL_METHOD_EN = {
  动工开发: 'Construction started',
  收回: 'Taken back',
  征缴土地闲置费: 'Idle-land fee levied',
  置换: 'Exchanged',
  调整规划条件: 'Planning conditions adjusted',
} as const satisfies Vocabulary;

/** 变动类型: a ledger event's kind, by its Chinese name (core/ledger.ts has the codes). */
export const STOCK_EVENT_KIND_EN = {
  供应: 'Supply',
  闲置土地处置: 'Idle-land disposal',
  低效用地再开发: 'Redevelopment',
  意向: 'Reserved for an enterprise',
  撤回意向: 'Reservation withdrawn',
  分割: 'Split',
  合并: 'Merge',
} as const satisfies Vocabulary;

/** “四未”阶段: where a parcel stands between approval and use. */
export const FOUR_UN_STAGE_EN = {
  批而未征: 'Approved, not acquired',
  征而未供: 'Acquired, not supplied',
  供而未用: 'Supplied, not used',
  用而未尽: 'Used, not fully',
} as const satisfies Vocabulary;

/** 规划用途 / a project's use, as a label (capitalised; core/stock-match.ts has them inside a sentence). */
export const PLANNED_USE_EN = {
  工业: 'Industrial',
  仓储: 'Warehousing',
  商业: 'Commercial',
  商务: 'Business offices',
  住宅: 'Residential',
  公共管理与公共服务: 'Public administration and services',
} as const satisfies Vocabulary;

/** 核查状态 of an encroachment case. */
export const CASE_STATUS_EN = {
  待核查: 'Pending review',
  违法占用: 'Confirmed illegal',
  合法用地: 'Legal (approved)',
  误报: 'False alarm',
  需实地核查: 'Needs a field check',
} as const satisfies Vocabulary;

/** 线索来源 of a case: satellite change detection, patrol, public report. */
export const CASE_SOURCE_EN = {
  卫片: 'Satellite',
  巡查: 'Patrol',
  举报: 'Public report',
} as const satisfies Vocabulary;

/** 地类名称 of the third national land survey's farmland classes (地类编码 0101–0103). */
export const LAND_CLASS_EN = {
  水田: 'Paddy field',
  水浇地: 'Irrigated land',
  旱地: 'Dry land',
} as const satisfies Vocabulary;

/** 生态功能类型 of a red-line area (function, and the ecosystem in brackets). */
export const ECO_FUNCTION_EN = {
  生物多样性维护: 'Biodiversity conservation',
  水源涵养: 'Water conservation',
  水土保持: 'Soil and water conservation',
  防风固沙: 'Windbreak and sand fixation',
  '生物多样性维护（湿地）': 'Biodiversity conservation (wetland)',
  '生物多样性维护（河流湿地）': 'Biodiversity conservation (river wetland)',
  '水源涵养（湿地）': 'Water conservation (wetland)',
  '水土保持（森林）': 'Soil and water conservation (forest)',
  未分类: 'Unclassified',
} as const satisfies Vocabulary;

/** 保护类型 inside the historic conservation line (城市紫线). */
export const PROTECTION_TYPE_EN = {
  历史文化街区: 'Historic district',
  历史文化名镇: 'Historic town',
  文物保护单位: 'Listed heritage site',
  历史建筑: 'Historic building',
  未分类: 'Unclassified',
} as const satisfies Vocabulary;

/** 级别 of a county-level unit. */
export const ADMIN_LEVEL_EN = {
  市辖区: 'City district',
  县: 'County',
} as const satisfies Vocabulary;

/** Units written after values (a layer attribute's `unit`). */
export const UNIT_EN = {
  '万元/亩': '10k yuan/mu',
  亩: 'mu',
  公顷: 'ha',
} as const satisfies Vocabulary;

/** The city the counties make up, as a total row names it. */
export const CITY_NAME = { zh: '开封市', en: 'Kaifeng City' } as const;
