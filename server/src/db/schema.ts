/**
 * The database schema (drizzle-orm). Migrations in /migrations are generated
 * from this file by drizzle-kit and reviewed; the immutability triggers are
 * written by hand into them; the layers' data-version triggers are made from the
 * registry at every migrate (server/src/db/data-version-triggers.ts).
 *
 * Every geometry is geometry(MultiPolygon, 4490) — CGCS2000 lon/lat — with a
 * GiST index and a CHECK that it is valid, so nothing invalid is ever stored.
 */
import { sql } from 'drizzle-orm';
import { CASE_OVERLAP_LAYER_IDS } from '../../../core/layers.ts';
import {
  bigint,
  bigserial,
  boolean,
  check,
  customType,
  type ExtraConfigColumn,
  date,
  doublePrecision,
  index,
  integer,
  json,
  jsonb,
  pgTable,
  primaryKey,
  serial,
  smallint,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

/** geometry(MultiPolygon, 4490); read and written as EWKT/GeoJSON through SQL functions. */
const multiPolygon = customType<{ data: string; driverData: string }>({
  dataType() {
    return 'geometry(MultiPolygon,4490)';
  },
});

const geomChecks = (table: string, geom: ExtraConfigColumn) => [
  index(`${table}_geom_gist`).using('gist', geom),
  check(`${table}_geom_valid`, sql`ST_IsValid(${geom})`),
];

/** 县级行政区: counties and districts, with their official 6-digit division codes. */
export const adminCounty = pgTable(
  'admin_county',
  {
    id: serial('id').primaryKey(),
    code: text('code').notNull(),
    name: text('name').notNull(),
    /** The name in English (pinyin and District/County, after the official romanisation); '' when not known. */
    nameEn: text('name_en').notNull().default(''),
    level: text('level').notNull(),
    areaM2: doublePrecision('area_m2').notNull(),
    source: text('source').notNull(),
    geom: multiPolygon('geom').notNull(),
  },
  (t) => [uniqueIndex('admin_county_code_key').on(t.code), ...geomChecks('admin_county', t.geom)],
);

/**
 * 乡镇级行政区: 街道, 镇 and 乡, with their 9-digit division codes (county's 6 + 3: 001–099 街道,
 * 100–199 镇, 200–399 乡). The seed's are generated inside the real counties; an administrator
 * replaces them with the bureau's by import.
 */
export const adminTownship = pgTable(
  'admin_township',
  {
    id: serial('id').primaryKey(),
    code: text('code').notNull(),
    countyCode: text('county_code').notNull(),
    name: text('name').notNull(),
    /** The name in English, where known; null otherwise (the Chinese name is shown as data). */
    nameEn: text('name_en'),
    areaM2: doublePrecision('area_m2').notNull(),
    source: text('source').notNull(),
    vintage: text('vintage').notNull(),
    geom: multiPolygon('geom').notNull(),
  },
  (t) => [
    uniqueIndex('admin_township_code_key').on(t.code),
    index('admin_township_county_idx').on(t.countyCode),
    ...geomChecks('admin_township', t.geom),
  ],
);

/**
 * 村级行政区: 社区居委会 and 村民委员会, with their 12-digit codes (township's 9 + 3: 001–199 居委会,
 * 200–399 村委会). The township is the code's first nine digits, so the column is derived from
 * the code and an import need not fill it.
 */
export const adminVillage = pgTable(
  'admin_village',
  {
    id: serial('id').primaryKey(),
    code: text('code').notNull(),
    townshipCode: text('township_code').generatedAlwaysAs(sql`left(code, 9)`).notNull(),
    countyCode: text('county_code').notNull(),
    name: text('name').notNull(),
    areaM2: doublePrecision('area_m2').notNull(),
    source: text('source').notNull(),
    vintage: text('vintage').notNull(),
    geom: multiPolygon('geom').notNull(),
  },
  (t) => [
    uniqueIndex('admin_village_code_key').on(t.code),
    index('admin_village_township_idx').on(t.townshipCode),
    index('admin_village_county_idx').on(t.countyCode),
    ...geomChecks('admin_village', t.geom),
  ],
);

/** The indexes and checks every layer table has: unique code, county, GiST and validity. */
const layerTableExtras = (table: string) => (t: { code: ExtraConfigColumn; countyCode: ExtraConfigColumn; geom: ExtraConfigColumn }) => [
  uniqueIndex(`${table}_code_key`).on(t.code),
  index(`${table}_county_idx`).on(t.countyCode),
  ...geomChecks(table, t.geom),
];

/** 城镇开发边界 */
export const urbanBoundary = pgTable(
  'urban_boundary',
  {
    id: serial('id').primaryKey(),
    code: text('code').notNull(),
    countyCode: text('county_code').notNull(),
    name: text('name').notNull(),
    areaM2: doublePrecision('area_m2').notNull(),
    source: text('source').notNull(),
    vintage: text('vintage').notNull(),
    geom: multiPolygon('geom').notNull(),
  },
  layerTableExtras('urban_boundary'),
);

const farmlandColumns = () => ({
  id: serial('id').primaryKey(),
  code: text('code').notNull(),
  countyCode: text('county_code').notNull(),
  landClassCode: text('land_class_code').notNull(),
  landClassName: text('land_class_name').notNull(),
  qualityGrade: smallint('quality_grade'),
  areaM2: doublePrecision('area_m2').notNull(),
  source: text('source').notNull(),
  vintage: text('vintage').notNull(),
  geom: multiPolygon('geom').notNull(),
});

/** 永久基本农田 */
export const permanentFarmland = pgTable('permanent_farmland', farmlandColumns(), layerTableExtras('permanent_farmland'));

/** 一般耕地 */
export const generalFarmland = pgTable('general_farmland', farmlandColumns(), layerTableExtras('general_farmland'));

/** A protection line's columns: named areas with a category (the red line, 城市紫线). */
const protectionLineColumns = () => ({
  id: serial('id').primaryKey(),
  code: text('code').notNull(),
  countyCode: text('county_code').notNull(),
  name: text('name').notNull(),
  category: text('category').notNull(),
  areaM2: doublePrecision('area_m2').notNull(),
  source: text('source').notNull(),
  vintage: text('vintage').notNull(),
  geom: multiPolygon('geom').notNull(),
});

/** 生态保护红线 */
export const ecoRedline = pgTable('eco_redline', protectionLineColumns(), layerTableExtras('eco_redline'));

/** 城市紫线: the protection ranges of historic districts, listed buildings and historic sites. */
export const purpleLine = pgTable('purple_line', protectionLineColumns(), layerTableExtras('purple_line'));

/** 存量土地图库: 批而未供 / 闲置土地 / 低效用地. */
export const stockParcel = pgTable(
  'stock_parcel',
  {
    id: serial('id').primaryKey(),
    code: text('code').notNull(),
    countyCode: text('county_code').notNull(),
    name: text('name').notNull(),
    category: text('category').notNull(),
    fourUnStage: text('four_un_stage'),
    plannedUse: text('planned_use').notNull(),
    areaM2: doublePrecision('area_m2').notNull(),
    plotRatioMin: doublePrecision('plot_ratio_min'),
    plotRatioMax: doublePrecision('plot_ratio_max'),
    approvalNo: text('approval_no'),
    approvalDate: date('approval_date'),
    status: text('status').notNull(),
    refPrice: doublePrecision('ref_price'),
    zoneName: text('zone_name'),
    contactDept: text('contact_dept').notNull(),
    /** 入库日期: the day the parcel entered the ledger (migration 0020). */
    recordedOn: date('recorded_on').notNull().default(sql`CURRENT_DATE`),
    geom: multiPolygon('geom').notNull(),
  },
  (t) => [
    uniqueIndex('stock_parcel_code_key').on(t.code),
    index('stock_parcel_county_idx').on(t.countyCode),
    index('stock_parcel_status_use_idx').on(t.status, t.plannedUse),
    // and stock_parcel_ledger_idx (code) INCLUDE (recorded_on, county_code, category, status, area_m2),
    // for the yearly revitalisation rate: migration 0025 (drizzle's index builder has no INCLUDE)
    check('stock_parcel_category_check', sql`${t.category} IN ('批而未供', '闲置土地', '低效用地')`),
    check(
      'stock_parcel_stage_check',
      sql`${t.fourUnStage} IS NULL OR ${t.fourUnStage} IN ('批而未征', '征而未供', '供而未用', '用而未尽')`,
    ),
    check('stock_parcel_status_check', sql`${t.status} IN ('可供应', '已意向', '已供应', '已盘活', '已注销')`),
    check('stock_parcel_area_check', sql`${t.areaM2} > 0`),
    ...geomChecks('stock_parcel', t.geom),
  ],
);

/**
 * 违法占地图斑: candidate illegal occupation, from 卫片 / 巡查 / 举报 — each one a case an auditor
 * decides (core/case-status.ts). `version` goes up with every decision (optimistic concurrency:
 * a decision names the version it was made on); every decision is kept in `case_decision`.
 *
 * The overlap summary (ellipsoidal m², the site check's engine) is computed when a case is
 * seeded or imported (server/src/modules/cases/overlaps.ts) and kept as evidence; NULL
 * `overlaps_at` means not computed yet. Per-feature overlaps are in `case_overlap`.
 */
export const encroachment = pgTable(
  'encroachment',
  {
    id: serial('id').primaryKey(),
    code: text('code').notNull(),
    countyCode: text('county_code').notNull(),
    source: text('source').notNull(),
    detectedOn: date('detected_on').notNull(),
    status: text('status').notNull().default('待核查'),
    areaM2: doublePrecision('area_m2').notNull(),
    geom: multiPolygon('geom').notNull(),
    /** Goes up by one with every decision. */
    version: integer('version').notNull().default(1),
    /** 批准文号 when the status is 合法用地. */
    approvalNo: text('approval_no'),
    /** The comment of the latest decision. */
    decisionComment: text('decision_comment'),
    decidedBy: text('decided_by'),
    decidedAt: timestamp('decided_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    /** The import batch that brought the case in; NULL for seeded cases. */
    importId: text('import_id').references(() => caseImport.id),
    permanentFarmlandM2: doublePrecision('permanent_farmland_m2'),
    generalFarmlandM2: doublePrecision('general_farmland_m2'),
    ecoRedlineM2: doublePrecision('eco_redline_m2'),
    stockLandM2: doublePrecision('stock_land_m2'),
    /** The part inside the urban development boundary. */
    urbanBoundaryM2: doublePrecision('urban_boundary_m2'),
    overlapsAt: timestamp('overlaps_at', { withTimezone: true }),
    /** 整改期限: the deadline set for rectifying a case confirmed illegal (migration 0023). */
    rectifyDeadline: date('rectify_deadline'),
    /** 整改完成日期; NULL: not rectified. Every change is kept in `case_rectification`. */
    rectifiedOn: date('rectified_on'),
    /** The latest rectification entry's note, document number, who and when. */
    rectifyNote: text('rectify_note'),
    rectifyDocNo: text('rectify_doc_no'),
    rectifyBy: text('rectify_by'),
    rectifyAt: timestamp('rectify_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('encroachment_code_key').on(t.code),
    index('encroachment_county_idx').on(t.countyCode),
    index('encroachment_status_idx').on(t.status),
    index('encroachment_detected_idx').on(t.detectedOn),
    index('encroachment_overlaps_missing_idx').on(t.id).where(sql`${t.overlapsAt} IS NULL`),
    check('encroachment_source_check', sql`${t.source} IN ('卫片', '巡查', '举报')`),
    check('encroachment_status_check', sql`${t.status} IN ('待核查', '违法占用', '合法用地', '误报', '需实地核查')`),
    check('encroachment_approval_check', sql`${t.status} <> '合法用地' OR ${t.approvalNo} IS NOT NULL`),
    check('encroachment_version_check', sql`${t.version} >= 1`),
    check('encroachment_rectified_check', sql`${t.rectifiedOn} IS NULL OR ${t.rectifiedOn} >= ${t.detectedOn}`),
    check('encroachment_rectify_deadline_check', sql`${t.rectifyDeadline} IS NULL OR ${t.rectifyDeadline} >= ${t.detectedOn}`),
    ...geomChecks('encroachment', t.geom),
  ],
);

/** The layers a case's overlaps are computed against (case_overlap.layer). */
export const CASE_OVERLAP_LAYERS = CASE_OVERLAP_LAYER_IDS;

/** Every feature of a control layer, general farmland or stock land a case overlaps, with the overlap (ellipsoidal m²). */
export const caseOverlap = pgTable(
  'case_overlap',
  {
    caseId: integer('case_id')
      .notNull()
      .references(() => encroachment.id, { onDelete: 'cascade' }),
    layer: text('layer').notNull(),
    featureId: integer('feature_id').notNull(),
    featureCode: text('feature_code').notNull(),
    overlapM2: doublePrecision('overlap_m2').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.caseId, t.layer, t.featureId] }),
    // the registry's caseOverlap layers (tests/api/registry.test.ts checks the database's constraint against it)
    check('case_overlap_layer_check', sql`${t.layer} IN (${sql.raw(CASE_OVERLAP_LAYER_IDS.map((id) => `'${id}'`).join(', '))})`),
    check('case_overlap_area_check', sql`${t.overlapM2} > 0`),
  ],
);

/**
 * Per case and layer, the layer version its overlaps were last recomputed against after that
 * layer changed (server/src/modules/layer-admin/follow.ts); no row: as computed when the case
 * came in. version_no is null for a layer without versions (stock land).
 */
export const caseOverlapBasis = pgTable(
  'case_overlap_basis',
  {
    caseId: integer('case_id')
      .notNull()
      .references(() => encroachment.id, { onDelete: 'cascade' }),
    layer: text('layer').notNull(),
    versionNo: integer('version_no'),
    computedAt: timestamp('computed_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.caseId, t.layer] }),
    check('case_overlap_basis_layer_check', sql`${t.layer} IN (${sql.raw(CASE_OVERLAP_LAYER_IDS.map((id) => `'${id}'`).join(', '))})`),
  ],
);

/**
 * The history of every decision on a case (核查记录): who, when, from which status to which,
 * the approval number and comment, and what changed. Append-only: a trigger (migration 0006)
 * refuses UPDATE, DELETE and TRUNCATE; a case with history cannot be deleted (foreign key).
 */
export const caseDecision = pgTable(
  'case_decision',
  {
    id: serial('id').primaryKey(),
    caseId: integer('case_id')
      .notNull()
      .references(() => encroachment.id),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
    actor: text('actor').notNull(),
    fromStatus: text('from_status').notNull(),
    toStatus: text('to_status').notNull(),
    approvalNo: text('approval_no'),
    comment: text('comment'),
    /** The case's version after this decision. */
    caseVersion: integer('case_version').notNull(),
    /** `{ field: { from, to } }` for every field the decision changed. */
    changes: json('changes').notNull(),
  },
  (t) => [
    index('case_decision_case_idx').on(t.caseId, t.id),
    check('case_decision_actor_check', sql`length(btrim(${t.actor})) > 0`),
  ],
);

/**
 * The rectification history of a case (整改记录, migration 0023): one row per entry — a deadline
 * set, the rectification marked done with its date, or found not done after all — each with the
 * state it left. Append-only: a trigger refuses UPDATE and DELETE (and TRUNCATE but the seeder's).
 */
export const caseRectification = pgTable(
  'case_rectification',
  {
    id: serial('id').primaryKey(),
    caseId: integer('case_id')
      .notNull()
      .references(() => encroachment.id),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
    actorId: integer('actor_id').references(() => appUser.id),
    actor: text('actor').notNull(),
    /** The deadline after this entry. */
    deadline: date('deadline'),
    /** Whether the case stands rectified after this entry, and since when. */
    rectified: boolean('rectified').notNull(),
    rectifiedOn: date('rectified_on'),
    docNo: text('doc_no'),
    note: text('note').notNull(),
    /** `{ field: { from, to } }` for every field the entry changed. */
    changes: json('changes').notNull(),
  },
  (t) => [
    index('case_rectification_case_idx').on(t.caseId, t.id),
    check('case_rectification_actor_check', sql`length(btrim(${t.actor})) > 0`),
    check('case_rectification_note_check', sql`length(btrim(${t.note})) > 0`),
    check('case_rectification_done_check', sql`${t.rectified} = (${t.rectifiedOn} IS NOT NULL)`),
  ],
);

/** One committed batch import of detection polygons: who, which file, and its per-row report. */
export const caseImport = pgTable('case_import', {
  id: text('id').primaryKey(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  actor: text('actor'),
  fileName: text('file_name').notNull(),
  format: text('format').notNull(),
  rows: integer('rows').notNull(),
  created: integer('created').notNull(),
  duplicateShare: doublePrecision('duplicate_share').notNull(),
  report: json('report').notNull(),
});

/** One row per layer; `version` goes up on every statement that changes the layer (triggers). */
export const dataVersion = pgTable('data_version', {
  layer: text('layer').primaryKey(),
  version: integer('version').notNull().default(0),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

/** Which dataset was seeded, so a restart can tell and skip it. */
export const seedInfo = pgTable('seed_info', {
  id: integer('id').primaryKey().default(1),
  scale: text('scale').notNull(),
  seed: integer('seed').notNull(),
  checksum: text('checksum').notNull(),
  loadedAt: timestamp('loaded_at', { withTimezone: true }).notNull().defaultNow(),
});

/**
 * Saved site checks (选址套核报告). Immutable once written: a trigger in migration 0003
 * refuses UPDATE and DELETE, so a filed report can be trusted to be what was seen.
 */
export const siteCheck = pgTable(
  'site_check',
  {
    id: text('id').primaryKey(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    name: text('name'),
    plannedUse: text('planned_use'),
    dataVersion: text('data_version').notNull(),
    areaM2: doublePrecision('area_m2').notNull(),
    contentHash: text('content_hash').notNull(),
    // json, not jsonb: stored as written (key order kept for the content hash), and cheaper to insert
    report: json('report').notNull(),
    geom: multiPolygon('geom').notNull(),
    /** The signed-in account that filed it (an enterprise's own checks); null for the public. */
    ownerId: integer('owner_id').references(() => appUser.id, { onDelete: 'set null' }),
    /**
     * When a check nobody signed for lapses (the public's checks are kept for a while, not as
     * permanent reports); null for a filed, permanent report. Migration 0009 lets DELETE remove
     * only lapsed rows.
     */
    expiresAt: timestamp('expires_at', { withTimezone: true }),
  },
  (t) => [
    index('site_check_created_idx').on(t.createdAt),
    index('site_check_owner_idx').on(t.ownerId, t.createdAt),
    index('site_check_expires_idx').on(t.expiresAt).where(sql`${t.expiresAt} IS NOT NULL`),
    ...geomChecks('site_check', t.geom),
  ],
);

/**
 * Derived from the layers, for the stock-land matcher and parcel pages: how each stock
 * parcel stands against the control lines (ellipsoidal m²) and which boundary polygon it
 * lies in. Rebuilt whenever a layer it reads changes (see stock_derived_state).
 */
export const stockStanding = pgTable('stock_standing', {
  parcelId: integer('parcel_id')
    .primaryKey(), // no foreign key: see stockAdjacency
  /** The urban development boundary polygon holding most of the parcel; null when none does. */
  urbanBoundaryId: integer('urban_boundary_id'),
  urbanBoundaryShare: doublePrecision('urban_boundary_share').notNull(),
  permanentFarmlandM2: doublePrecision('permanent_farmland_m2').notNull(),
  generalFarmlandM2: doublePrecision('general_farmland_m2').notNull(),
  ecoRedlineM2: doublePrecision('eco_redline_m2').notNull(),
});

/** Pairs of stock parcels within a small gap of each other in the same boundary polygon (宗地组合供应). */
export const stockAdjacency = pgTable(
  'stock_adjacency',
  {
    aId: integer('a_id')
      .notNull(), // no foreign key: a swap of stock_parcel (migration 0013) would leave it on the archived version
    bId: integer('b_id')
      .notNull(),
    gapM: doublePrecision('gap_m').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.aId, t.bId] }),
    index('stock_adjacency_b_idx').on(t.bId),
    check('stock_adjacency_order', sql`${t.aId} < ${t.bId}`),
  ],
);

/** The layer versions stock_standing and stock_adjacency were built from (one row). */
export const stockDerivedState = pgTable('stock_derived_state', {
  id: integer('id').primaryKey().default(1),
  sourceVersions: json('source_versions').notNull(),
  gapM: doublePrecision('gap_m').notNull(),
  /** The active layer version of each source (1 before its first import); null when built before migration 0015. */
  layerVersions: json('layer_versions'),
  builtAt: timestamp('built_at', { withTimezone: true }).notNull().defaultNow(),
});

/** Accounts (账号). Passwords are scrypt hashes (server/src/modules/auth/password.ts); roles in core/access.ts. */
export const appUser = pgTable(
  'app_user',
  {
    id: serial('id').primaryKey(),
    username: text('username').notNull(),
    displayName: text('display_name').notNull(),
    role: text('role').notNull(),
    /** The division the account works in (core/divisions.ts): 410000 the province, a city's or a county's code. */
    scope: text('scope').notNull().default('410000'),
    passwordHash: text('password_hash').notNull(),
    disabled: boolean('disabled').notNull().default(false),
    /** Failed sign-ins in a row; reset by a good one. */
    failedAttempts: integer('failed_attempts').notNull().default(0),
    lockedUntil: timestamp('locked_until', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('app_user_username_key').on(sql`lower(${t.username})`),
    check('app_user_role_check', sql`${t.role} IN ('enterprise', 'planner', 'auditor', 'admin')`),
    check('app_user_scope_check', sql`${t.scope} ~ '^41[0-9]{4}$'`),
  ],
);

/** Sign-in sessions: the cookie carries a random token; only its SHA-256 is stored. */
export const appSession = pgTable(
  'app_session',
  {
    tokenHash: text('token_hash').primaryKey(),
    userId: integer('user_id')
      .notNull()
      .references(() => appUser.id, { onDelete: 'cascade' }),
    csrfToken: text('csrf_token').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    lastSeenAt: timestamp('last_seen_at', { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    ip: text('ip'),
    userAgent: text('user_agent'),
  },
  (t) => [index('app_session_user_idx').on(t.userId)],
);

/** Who did what (登录、登录失败、导入、核查决定、账号管理), readable by admins; append-only by convention of the code. */
export const auditLog = pgTable(
  'audit_log',
  {
    id: serial('id').primaryKey(),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
    action: text('action').notNull(),
    userId: integer('user_id'),
    username: text('username'),
    ip: text('ip'),
    target: text('target'),
    details: json('details'),
  },
  (t) => [index('audit_log_at_idx').on(t.at), index('audit_log_action_idx').on(t.action)],
);

/**
 * Versions of an importable control layer (控制线图层版本). The active version's features are
 * the layer's own table; the others' are kept in layer_archive and can be restored. A new
 * import or a restore swaps them in one transaction.
 */
export const layerVersion = pgTable(
  'layer_version',
  {
    id: serial('id').primaryKey(),
    layer: text('layer').notNull(),
    versionNo: integer('version_no').notNull(),
    /** active (served) or archived (kept in layer_archive). */
    state: text('state').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    createdBy: integer('created_by').references(() => appUser.id, { onDelete: 'set null' }),
    createdByName: text('created_by_name'),
    /** Where the features came from: the uploaded file's name, or the seed loader. */
    fileName: text('file_name'),
    format: text('format'),
    crs: text('crs'),
    featureCount: integer('feature_count').notNull(),
    areaM2: doublePrecision('area_m2').notNull(),
    /** [west, south, east, north] in EPSG:4490; null for an empty layer. */
    bbox: json('bbox'),
    note: text('note'),
    activatedAt: timestamp('activated_at', { withTimezone: true }).notNull().defaultNow(),
    activatedBy: integer('activated_by').references(() => appUser.id, { onDelete: 'set null' }),
  },
  (t) => [
    uniqueIndex('layer_version_no_key').on(t.layer, t.versionNo),
    uniqueIndex('layer_version_active_key').on(t.layer).where(sql`${t.state} = 'active'`),
    check('layer_version_state_check', sql`${t.state} IN ('active', 'archived')`),
  ],
);

/**
 * Import and restore jobs of the layer pipeline (migration 0013), and the case imports (kind
 * `case-import`, migration 0019): durable, so a restart of the
 * app resumes them and any instance can show, run or cancel them. `worker` and `heartbeat_at`
 * say which instance runs a job and that it is alive; `input` holds the uploaded file's name and
 * path on the server and the check's options.
 */
export const layerJob = pgTable(
  'layer_job',
  {
    id: uuid('id').primaryKey(),
    kind: text('kind').notNull(),
    layer: text('layer').notNull(),
    phase: text('phase').notNull(),
    /** The step within the phase (migration 0019), for the progress bar: a case import's 查找重复图斑, 写入图斑 … */
    step: text('step'),
    done: bigint('done', { mode: 'number' }).notNull().default(0),
    total: bigint('total', { mode: 'number' }).notNull().default(0),
    input: jsonb('input').notNull(),
    summary: jsonb('summary'),
    error: jsonb('error'),
    versionNo: integer('version_no'),
    actor: jsonb('actor'),
    note: text('note'),
    cancelRequested: boolean('cancel_requested').notNull().default(false),
    worker: text('worker'),
    heartbeatAt: timestamp('heartbeat_at', { withTimezone: true }),
    attempts: integer('attempts').notNull().default(0),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    readyAt: timestamp('ready_at', { withTimezone: true }),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
  },
  (t) => [index('layer_job_open_idx').on(t.createdAt).where(sql`${t.finishedAt} IS NULL`), check('layer_job_kind_check', sql`${t.kind} IN ('import', 'restore', 'case-import', 'ledger-import')`)],
);

/** The features of archived layer versions (before migration 0013; later versions are tables of their own in layer_store): every column but id and geom as JSON, and the geometry. */
export const layerArchive = pgTable(
  'layer_archive',
  {
    id: serial('id').primaryKey(),
    layer: text('layer').notNull(),
    versionNo: integer('version_no').notNull(),
    props: jsonb('props').notNull(),
    geom: multiPolygon('geom').notNull(),
  },
  (t) => [index('layer_archive_version_idx').on(t.layer, t.versionNo)],
);

/**
 * An account's saved stock-land searches (保存的检索). `seenCodes` holds the parcel codes that
 * matched when the account last looked, so the next visit can list the parcels new since then.
 */
export const savedSearch = pgTable(
  'saved_search',
  {
    id: serial('id').primaryKey(),
    userId: integer('user_id')
      .notNull()
      .references(() => appUser.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    /** The search as the /stock page's query string parameters (core/contracts/stock.ts). */
    query: json('query').notNull(),
    seenCodes: text('seen_codes').array().notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    lastVisitedAt: timestamp('last_visited_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('saved_search_user_idx').on(t.userId, t.createdAt)],
);

/**
 * Sign-in failures per username (lower case), whether or not an account has that name, so a
 * lock-out looks the same for every name and counts every failure atomically (one UPDATE … +1
 * per attempt, before the password is checked).
 */
export const signInAttempt = pgTable('sign_in_attempt', {
  nameKey: text('name_key').primaryKey(),
  failures: integer('failures').notNull().default(0),
  lastFailedAt: timestamp('last_failed_at', { withTimezone: true }).notNull().defaultNow(),
  lockedUntil: timestamp('locked_until', { withTimezone: true }),
});

/**
 * What the public and enterprises have checked against the restricted layers, per subject
 * (`ip:…` or `user:…`; `preview:ip:…`, `preview:user:…` for live previews) and day (Beijing time):
 * the number of checks and their summed site area, the budget that bounds how much farmland
 * anyone can learn from site checks and previews.
 */
export const siteCheckUsage = pgTable(
  'site_check_usage',
  {
    subject: text('subject').notNull(),
    day: date('day').notNull(),
    checks: integer('checks').notNull().default(0),
    areaM2: doublePrecision('area_m2').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.subject, t.day] })],
);

/**
 * The bureau's own tile services (底图服务) an administrator added: an XYZ, TMS or WMTS address
 * template, checked by fetching one tile before it was stored; tiles reach the browser through
 * the server's proxy (server/src/modules/basemaps).
 */
export const basemapService = pgTable('basemap_service', {
  id: serial('id').primaryKey(),
  nameZh: text('name_zh').notNull(),
  nameEn: text('name_en').notNull(),
  url: text('url').notNull(),
  kind: text('kind').notNull(),
  attribution: text('attribution').notNull().default(''),
  minZoom: integer('min_zoom').notNull().default(0),
  maxZoom: integer('max_zoom').notNull().default(18),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  createdBy: text('created_by'),
});

/** Base-map settings an administrator set (the Tianditu key, its attribution and 审图号), by name. */
export const basemapSetting = pgTable('basemap_setting', {
  name: text('name').primaryKey(),
  value: text('value').notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  updatedBy: text('updated_by'),
});

/** geometry(Geometry, 4490): any type — the base map's points, lines and polygons. */
const anyGeometry = customType<{ data: string; driverData: string }>({
  dataType() {
    return 'geometry(Geometry,4490)';
  },
});

/**
 * The demo's offline base map (seeds/lib/basemap.ts, written by the seed loader): water,
 * waterways, roads, built-up areas and place names, served as the `basemap` vector tiles. Not a
 * layer of the registry — no panel entry, no rule — but versioned like one (data_version
 * 'basemap', migration 0016), so its tiles' ETags follow it.
 */
export const basemapFeature = pgTable(
  'basemap_feature',
  {
    id: serial('id').primaryKey(),
    /** water | waterway | road | builtup | place */
    kind: text('kind').notNull(),
    /** e.g. road: expressway | national | provincial | county; place: city | county_seat | town | village */
    class: text('class').notNull(),
    name: text('name'),
    nameEn: text('name_en'),
    /** The lowest zoom whose tiles carry the feature. */
    minZoom: smallint('min_zoom').notNull(),
    /** Importance, 1 first: tiles keep and labels place the important ones first. */
    rank: smallint('rank').notNull(),
    geom: anyGeometry('geom').notNull(),
  },
  (t) => [
    index('basemap_feature_geom_gist').using('gist', t.geom),
    check('basemap_feature_geom_valid', sql`ST_IsValid(${t.geom})`),
    check('basemap_feature_kind_check', sql`${t.kind} IN ('water', 'waterway', 'road', 'builtup', 'place')`),
  ],
);

/**
 * Imagery layers (影像): one registered orthophoto (GeoTIFF / COG) and period each; the file stays
 * under IMAGERY_DIR (`file_path` relative to it), rendered as tiles by server/src/modules/imagery.
 */
export const imageryLayer = pgTable(
  'imagery_layer',
  {
    id: serial('id').primaryKey(),
    name: text('name').notNull(),
    nameEn: text('name_en').notNull(),
    periodLabel: text('period_label').notNull(),
    periodDate: date('period_date').notNull(),
    access: text('access').notNull(),
    filePath: text('file_path').notNull(),
    fileName: text('file_name').notNull(),
    source: text('source').notNull(),
    fileBytes: bigint('file_bytes', { mode: 'number' }).notNull(),
    epsg: integer('epsg').notNull(),
    crsName: text('crs_name').notNull(),
    width: integer('width').notNull(),
    height: integer('height').notNull(),
    bands: integer('bands').notNull(),
    levels: integer('levels').notNull(),
    pixelSizeM: doublePrecision('pixel_size_m').notNull(),
    west: doublePrecision('west').notNull(),
    south: doublePrecision('south').notNull(),
    east: doublePrecision('east').notNull(),
    north: doublePrecision('north').notNull(),
    demo: boolean('demo').notNull().default(false),
    createdBy: text('created_by'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('imagery_layer_period_idx').on(t.periodDate, t.id),
    check('imagery_layer_access_check', sql`${t.access} IN ('public', 'restricted')`),
    check('imagery_layer_source_check', sql`${t.source} IN ('upload', 'path', 'demo')`),
  ],
);

/**
 * 存量土地台账: every change of a stock parcel's state, one row per parcel an event touched
 * (core/ledger.ts; docs/domain.md, "The stock-land ledger"). Append-only: UPDATE, DELETE and
 * TRUNCATE are refused by trigger (migration 0020), TRUNCATE allowed only to the seeder's reset.
 */
export const stockEvent = pgTable(
  'stock_event',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    parcelCode: text('parcel_code').notNull(),
    kind: text('kind').notNull(),
    eventDate: date('event_date').notNull(),
    docNo: text('doc_no').notNull(),
    actorId: integer('actor_id').references(() => appUser.id),
    actorName: text('actor_name').notNull(),
    countyCode: text('county_code').notNull(),
    categoryBefore: text('category_before'),
    statusBefore: text('status_before'),
    categoryAfter: text('category_after').notNull(),
    statusAfter: text('status_after').notNull(),
    /** The parcel's area at the event (ellipsoidal m²). */
    areaM2: doublePrecision('area_m2').notNull(),
    details: jsonb('details').notNull().default({}),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('stock_event_parcel_idx').on(t.parcelCode, t.id),
    index('stock_event_county_date_idx').on(t.countyCode, t.eventDate),
    check('stock_event_kind_check', sql`${t.kind} IN ('supply', 'dispose', 'redevelop', 'intent', 'intent-withdrawn', 'split', 'merge')`),
  ],
);

/**
 * 企业找地: an enterprise's land request (docs/domain.md, "Enterprise land requests"). open →
 * matched (a proposal accepted) or withdrawn. `seenCodes`: the parcel codes among its matches
 * when the enterprise last looked; the others are its new matches.
 */
export const landRequest = pgTable(
  'land_request',
  {
    id: serial('id').primaryKey(),
    ownerId: integer('owner_id')
      .notNull()
      .references(() => appUser.id),
    company: text('company').notNull(),
    plannedUse: text('planned_use').notNull(),
    areaMinMu: doublePrecision('area_min_mu').notNull(),
    areaMaxMu: doublePrecision('area_max_mu').notNull(),
    countyCode: text('county_code'),
    nearLon: doublePrecision('near_lon'),
    nearLat: doublePrecision('near_lat'),
    radiusKm: doublePrecision('radius_km'),
    plotRatioMin: doublePrecision('plot_ratio_min'),
    plotRatioMax: doublePrecision('plot_ratio_max'),
    /** 总预算, 万元. */
    budgetWan: doublePrecision('budget_wan'),
    neededBy: date('needed_by'),
    contactName: text('contact_name').notNull(),
    contactPhone: text('contact_phone').notNull(),
    note: text('note'),
    status: text('status').notNull().default('open'),
    seenCodes: text('seen_codes').array().notNull().default(sql`'{}'`),
    seenAt: timestamp('seen_at', { withTimezone: true }).notNull().defaultNow(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    closedAt: timestamp('closed_at', { withTimezone: true }),
    closedReason: text('closed_reason'),
  },
  (t) => [
    index('land_request_owner_idx').on(t.ownerId, t.createdAt),
    index('land_request_status_idx').on(t.status, t.createdAt),
    check('land_request_status_check', sql`${t.status} IN ('open', 'matched', 'withdrawn')`),
    check('land_request_area_check', sql`${t.areaMinMu} > 0 AND ${t.areaMinMu} <= ${t.areaMaxMu}`),
    check('land_request_near_check', sql`(${t.nearLon} IS NULL) = (${t.nearLat} IS NULL) AND (${t.radiusKm} IS NULL OR ${t.nearLon} IS NOT NULL)`),
  ],
);

/**
 * A parcel proposed to a land request by bureau staff, decided once by the enterprise:
 * accepted (the parcel → 已意向) or declined with a reason. Never deleted; a decided proposal
 * never changes (trigger, migration 0021).
 */
export const landRequestProposal = pgTable(
  'land_request_proposal',
  {
    id: serial('id').primaryKey(),
    requestId: integer('request_id')
      .notNull()
      .references(() => landRequest.id),
    parcelCode: text('parcel_code').notNull(),
    proposedBy: integer('proposed_by').references(() => appUser.id),
    proposerName: text('proposer_name').notNull(),
    note: text('note'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    decision: text('decision'),
    decidedAt: timestamp('decided_at', { withTimezone: true }),
    declineReason: text('decline_reason'),
  },
  (t) => [
    index('land_request_proposal_request_idx').on(t.requestId, t.id),
    uniqueIndex('land_request_proposal_pending_key').on(t.requestId, t.parcelCode).where(sql`${t.decision} IS NULL`),
    check('land_request_proposal_decision_check', sql`${t.decision} IS NULL OR ${t.decision} IN ('accepted', 'declined')`),
    check('land_request_proposal_decided_check', sql`(${t.decision} IS NULL) = (${t.decidedAt} IS NULL)`),
    check('land_request_proposal_reason_check', sql`${t.decision} IS DISTINCT FROM 'declined' OR length(trim(${t.declineReason})) > 0`),
  ],
);

/**
 * A site check marked approved (批准文号, date): the year's new construction land (docs/domain.md,
 * "New construction land and its farmland share"). One a check, recorded once — the database
 * refuses UPDATE, DELETE and TRUNCATE but the seeder's reset (trigger, migration 0022). The
 * county (the site's largest part) and the areas are the check's own figures, copied from its
 * report when it is approved.
 */
export const siteCheckApproval = pgTable(
  'site_check_approval',
  {
    checkId: text('check_id')
      .primaryKey()
      .references(() => siteCheck.id),
    approvalNo: text('approval_no').notNull(),
    approvedOn: date('approved_on').notNull(),
    approverId: integer('approver_id').references(() => appUser.id),
    approverName: text('approver_name').notNull(),
    countyCode: text('county_code').notNull(),
    siteM2: doublePrecision('site_m2').notNull(),
    permanentFarmlandM2: doublePrecision('permanent_farmland_m2').notNull(),
    generalFarmlandM2: doublePrecision('general_farmland_m2').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('site_check_approval_county_date_idx').on(t.approvedOn, t.countyCode),
    check('site_check_approval_no_check', sql`length(trim(${t.approvalNo})) > 0`),
    check('site_check_approval_areas_check', sql`${t.siteM2} > 0 AND ${t.permanentFarmlandM2} >= 0 AND ${t.generalFarmlandM2} >= 0`),
  ],
);
