/** The site check (选址套核): request and saved report. */
import { RULE_IDS } from '../layers.ts';
import { z } from 'zod';
import { PLANNED_USES } from '../stock-match.ts';
import { NEW_LAND_NOTE_MAX, NEW_LAND_REASON_CODES, NEW_LAND_REASONS, reasonNeedsNote } from '../stock-first.ts';
import { isoDay, words } from './ledger.ts';

/** No coordinate of any system — degrees, or metres of a projection — is this large. */
const COORDINATE_MAX = 1e9;
const coordinate = (what: string) =>
  z
    .number({ message: `${what}须为数字` })
    .min(-COORDINATE_MAX, `${what}数值超出范围（绝对值须不超过 10⁹）`)
    .max(COORDINATE_MAX, `${what}数值超出范围（绝对值须不超过 10⁹）`);

/**
 * A position [经度, 纬度], or [经度, 纬度, 高程]: the height is dropped, as a GIS drops it when it
 * loads 3-D data into a 2-D layer (the overlays are on the ground); a fourth number is refused,
 * and so is a number no coordinate system has (1e300), so no absurd value ever reaches distance or
 * area arithmetic. Whether the position lies in the data's extent is the site validation's to say
 * (core/geometry-validation.ts, OUTSIDE_DATA_EXTENT), with a hint when lon/lat look swapped or the
 * numbers look like projected metres.
 */
export const LonLatPosition = z
  .tuple([coordinate('经度'), coordinate('纬度'), z.number({ message: '高程须为数字' }).optional()], { message: '坐标须为 [经度, 纬度] 或 [经度, 纬度, 高程]' })
  .transform(([lon, lat]) => [lon, lat]);
const Ring = z.array(LonLatPosition, { message: '环须为坐标数组' });
export const SitePolygon = z.object({ type: z.literal('Polygon'), coordinates: z.array(Ring).min(1) });
export const SiteMultiPolygon = z.object({ type: z.literal('MultiPolygon'), coordinates: z.array(z.array(Ring).min(1)).min(1) });
export const SiteGeometry = z.discriminatedUnion('type', [SitePolygon, SiteMultiPolygon]).meta({
  description: 'GeoJSON Polygon 或 MultiPolygon，EPSG:4490 经纬度',
});
export type SiteGeometry = z.infer<typeof SiteGeometry>;

const reasonList = NEW_LAND_REASON_CODES.map((c) => `${c}（${NEW_LAND_REASONS[c].zh}）`).join('、');

/**
 * Stock first (存量优先): why the project goes on to new land after the stock-land library
 * was checked. `note` is required for 'other' (at most 500 characters).
 */
export const StockFirstChoice = z
  .object(
    {
      reason: z.enum(NEW_LAND_REASON_CODES, { message: `继续新增用地的理由为必填项，只能是：${reasonList}` }),
      note: z
        .string({ message: '理由说明须为文字' })
        .trim()
        .max(NEW_LAND_NOTE_MAX, `理由说明最多 ${NEW_LAND_NOTE_MAX} 个字符`)
        .optional(),
    },
    { message: '存量优先为必填项：先套核存量土地图库，再给出继续新增用地的理由' },
  )
  .refine((s) => !reasonNeedsNote(s.reason) || !!s.note, {
    message: '理由为“其他”时须填写理由说明',
    params: { en: 'With the reason “other”, explain it in the note' },
    path: ['note'],
  });
export type StockFirstChoice = z.infer<typeof StockFirstChoice>;

// ---------------------------------------------------------------------------------------------
// Provenance (来源): where the site came from, as the parse route read it

/** Bounds on a provenance: what a file name, a message, a warning list and proj4 text may be. */
export const PROVENANCE_LIMITS = { fileName: 255, code: 64, text: 2000, warnings: 50, proj4: 512, crs: 200 } as const;

const boundedText = (what: string, max: number) => z.string({ message: `${what}须为文字` }).max(max, `${what}最多 ${max} 个字符`);

/** A message the parser gave, as the planner saw and accepted it. */
export const ProvenanceWarning = z.object({
  code: boundedText('来源提示代码', PROVENANCE_LIMITS.code),
  zh: boundedText('来源提示', PROVENANCE_LIMITS.text),
  en: boundedText('来源提示', PROVENANCE_LIMITS.text),
});
export type ProvenanceWarning = z.infer<typeof ProvenanceWarning>;

export const DATUMS = ['cgcs2000', 'wgs84', 'xian80', 'beijing54', 'other'] as const;
export const DATUM_TRANSFORMS = ['none', 'file-parameters', 'bureau-parameters', 'approximate'] as const;
export const SITE_FILE_FORMATS = ['geojson', 'shapefile', 'boundary-points', 'kml', 'coordinates'] as const;
/** Encodings a planner may choose (GBK: the WHATWG gbk decoder), and those a parse may find. */
export const TEXT_ENCODINGS = ['utf-8', 'gbk', 'gb18030', 'big5'] as const;
export const DETECTED_ENCODINGS = [...TEXT_ENCODINGS, 'utf-16le', 'utf-16be'] as const;

/** What a parse found or used: the coordinate system, its datum and how it was brought to CGCS2000, zone, axis order, encoding. */
export const CrsReading = z.object({
  /** e.g. 'EPSG:4526' */
  crs: boundedText('来源坐标系', PROVENANCE_LIMITS.crs),
  epsg: z.number().int().optional(),
  crsName: boundedText('来源坐标系名称', PROVENANCE_LIMITS.crs).optional(),
  datum: z.enum(DATUMS),
  datumTransform: z.enum(DATUM_TRANSFORMS),
  /** The file declared no coordinate system: its datum was taken as CGCS2000 (warning CRS_UNDECLARED). */
  datumAssumed: z.literal(true).optional(),
  zone: z.number().int().optional(),
  zoneWidth: z.union([z.literal(3), z.literal(6)]).optional(),
  axisOrder: z.enum(['lonlat', 'northing-easting']),
  encoding: z.enum(DETECTED_ENCODINGS).optional(),
});
export type CrsReading = z.infer<typeof CrsReading>;

/** What the planner set instead of the detection (the parse route's query). */
export const ProvenanceOverrides = z.object({
  crs: boundedText('来源坐标系', 64).optional(),
  zone: z.number().int().optional(),
  zoneWidth: z.union([z.literal(3), z.literal(6)]).optional(),
  axisOrder: z.enum(['xy', 'yx']).optional(),
  encoding: z.enum(TEXT_ENCODINGS).optional(),
  /** The planner accepted an approximate placement of a local-datum file (DATUM_APPROXIMATE). */
  acceptApproximateDatum: z.boolean().optional(),
});
export type ProvenanceOverrides = z.infer<typeof ProvenanceOverrides>;

const SourcePosition = z.tuple([coordinate('原始东坐标'), coordinate('原始北坐标')], { message: '原始坐标须为 [东坐标, 北坐标]' });
const SourceRing = z.array(SourcePosition);
const SourceGeometry = z.discriminatedUnion('type', [
  z.object({ type: z.literal('Polygon'), coordinates: z.array(SourceRing).min(1) }),
  z.object({ type: z.literal('MultiPolygon'), coordinates: z.array(z.array(SourceRing).min(1)).min(1) }),
]);

/**
 * The site's coordinates as the file gives them (server/src/formats/parsers/types.ts SourceCoordinates): per
 * feature, the same structure and vertex order as the placed site, [easting, northing] in the
 * file's units (the easting with its zone prefix if the file had one); `proj4` reproduces the
 * placement in CGCS2000 lon/lat (with the datum shift, if any).
 */
export const SourceCoordinatesSchema = z.object({
  crs: boundedText('provenance.source.crs', PROVENANCE_LIMITS.crs),
  epsg: z.number().int().optional(),
  proj4: boundedText('provenance.source.proj4', PROVENANCE_LIMITS.proj4),
  geometries: z.array(SourceGeometry.nullable()),
});
export type SourceCoordinatesT = z.infer<typeof SourceCoordinatesSchema>;

/**
 * Where a site came from (来源): the original file and format ('drawn' for a site drawn on the
 * map), what the parser detected with no overrides and what was used, the overrides, every
 * warning the planner accepted, and the file's own coordinates. The parse route builds it; the
 * site check takes it back with the site and files it in the report.
 */
export const SiteProvenance = z.object({
  /** The uploaded file's name; null for pasted text or a drawn site. */
  fileName: boundedText('文件名', PROVENANCE_LIMITS.fileName).nullable(),
  format: z.enum(['drawn', ...SITE_FILE_FORMATS], { message: `来源文件格式只能是：drawn、${SITE_FILE_FORMATS.join('、')}` }),
  /** What the parser found with no overrides; null for a drawn site or when it refused the file without them (see detectionRefused). */
  detected: CrsReading.nullable(),
  /** Why the file could not be read without the overrides (e.g. ZONE_AMBIGUOUS), when it could not. */
  detectionRefused: ProvenanceWarning.nullable(),
  /** What the site was placed with (the detection, or the detection with the overrides). */
  confirmed: CrsReading.nullable(),
  overrides: ProvenanceOverrides,
  warnings: z.array(ProvenanceWarning).max(PROVENANCE_LIMITS.warnings, `来源的提示最多 ${PROVENANCE_LIMITS.warnings} 条`),
  /** The file's own projected coordinates; null when the file was in lon/lat or the site was drawn. */
  source: SourceCoordinatesSchema.nullable(),
  /** The site was changed on the map after the file was read (its source coordinates no longer apply). */
  edited: z.boolean(),
  /**
   * The server's signature (the parse route's; a filed report's when it was verified): HMAC-SHA256
   * over the rest but `edited`, and the SHA-256 of the placed polygons. Without it, or changed,
   * the provenance is filed as unverified.
   */
  signature: z
    .object({
      geometrySha256: z.string().regex(/^[0-9a-f]{64}$/, '来源签名的图形摘要须为 64 位十六进制数'),
      hmac: z.string().regex(/^[0-9a-f]{64}$/, '来源签名须为 64 位十六进制数'),
    })
    .optional(),
});
export type SiteProvenance = z.infer<typeof SiteProvenance>;

/** Whether the source coordinates the report keeps are the site's own. */
export const SourceCheck = z.object({
  /**
   * `matched`: the source reprojected lies within 1 mm of every vertex of the filed site;
   * `none`: there were none (a lon/lat file, a drawn site); `dropped`: they were sent but no
   * longer describe the filed site (edited, repaired, or not matching) — see zh/en.
   */
  status: z.enum(['matched', 'none', 'dropped']),
  /** Largest distance between a source vertex reprojected and the site's (m); null when not compared. */
  maxDeviationM: z.number().nullable(),
  zh: z.string(),
  en: z.string(),
});

/** The provenance as a report files it: as sent, the source coordinates kept only when they still match. */
/**
 * Whether the server vouches for the provenance: `verified` when it came signed by the parse
 * route and unchanged; otherwise it is filed as the request sent it, marked unverified, with why.
 * Absent in reports filed before provenances were signed (printed as unverified).
 */
export const ProvenanceVerification = z.object({ verified: z.boolean(), zh: z.string(), en: z.string() });
export type ProvenanceVerification = z.infer<typeof ProvenanceVerification>;

export const SiteProvenanceRecord = SiteProvenance.extend({ sourceCheck: SourceCheck, verification: ProvenanceVerification.optional() });
export type SiteProvenanceRecord = z.infer<typeof SiteProvenanceRecord>;

export const SiteCheckRequest = z
  .object({
    geometry: SiteGeometry,
    name: z.string().trim().max(200, '项目名称最多 200 个字符').optional(),
    /** Planned use (规划用途): what the stock-land library is matched for. */
    use: z.enum(PLANNED_USES, { message: `规划用途为必填项，只能是：${PLANNED_USES.join('、')}` }),
    stockFirst: StockFirstChoice,
    /** Widen the analysed area by this many metres around the site (0–1 000). */
    bufferMeters: z.number().min(0, '缓冲距离不能为负').max(1000, '缓冲距离最多 1000 米').optional(),
    /** Repair a self-intersecting site (ST_MakeValid) instead of refusing it. */
    repair: z.boolean().optional(),
    /**
     * Where the site came from: the parse route's `provenance`, unchanged (format 'drawn' for a
     * site drawn on the map; `edited: true` for an uploaded site changed on the map).
     */
    provenance: SiteProvenance.optional(),
  })
  .meta({ id: 'SiteCheckRequest' });
export type SiteCheckRequest = z.infer<typeof SiteCheckRequest>;

export const AreaUnits = z.object({ m2: z.number(), ha: z.number(), mu: z.number() });
export type AreaUnitsT = z.infer<typeof AreaUnits>;

/** What a stock-land match counted (core/stock-match.ts MatchTally). */
export const MatchTally = z.object({
  inScope: z.number().int(),
  available: z.number().int(),
  compatibleUse: z.number().int(),
  conflicting: z.number().int(),
  tooFar: z.number().int(),
  eligible: z.number().int(),
  singles: z.number().int(),
  combinations: z.number().int(),
});

/**
 * The stock-first step as the report files it: the server's own match for the site's use
 * and area near the site, its top candidates, and why the project still goes on to new land.
 */
export const StockFirstRecord = z.object({
  checked: z.literal(true),
  use: z.enum(PLANNED_USES),
  /** The area matched: the site's ellipsoidal area. */
  need: AreaUnits,
  summaryZh: z.string(),
  summaryEn: z.string(),
  tally: MatchTally,
  /** How far from the site the match looked, km (absent in a report filed before the radius existed). */
  radiusKm: z.number().nullable().optional(),
  candidates: z.array(
    z.object({
      rank: z.number().int(),
      kind: z.enum(['single', 'combination']),
      parcels: z.array(z.object({ code: z.string(), name: z.string(), plannedUse: z.string(), area: AreaUnits })),
      totalArea: AreaUnits,
      score: z.number(),
      distanceM: z.number().nullable(),
    }),
  ),
  reason: z.object({
    code: z.enum(NEW_LAND_REASON_CODES),
    labelZh: z.string(),
    labelEn: z.string(),
    note: z.string().nullable(),
  }),
});
export type StockFirstRecord = z.infer<typeof StockFirstRecord>;

/** A report filed before the stock-first step existed: it says so rather than nothing. */
export const StockFirstNotRecorded = z.object({ checked: z.literal(false), noteZh: z.string(), noteEn: z.string() });
export const STOCK_FIRST_NOT_RECORDED: z.infer<typeof StockFirstNotRecorded> = {
  checked: false,
  noteZh: '本报告生成于存量优先套核功能上线之前，未记录存量土地套核情况。',
  noteEn: 'This report was filed before the stock-first step existed; no stock-land check is recorded.',
};

const AnyGeometry = z.object({ type: z.string(), coordinates: z.array(z.any()) });

export const OverlapFeature = z.object({
  id: z.number().int(),
  code: z.string(),
  /** A few identifying attributes (land class, name …). */
  attributes: z.record(z.string(), z.union([z.string(), z.number(), z.null()])),
  overlapArea: AreaUnits,
});

export const LayerOverlap = z.object({
  layerId: z.enum(RULE_IDS),
  nameZh: z.string(),
  nameEn: z.string(),
  intersects: z.boolean(),
  /**
   * Features overlapping the site with a positive area (an edge touch is not an overlap); null
   * for a restricted layer in a public report (`coarseAreaMu`).
   */
  count: z.number().int().nullable(),
  area: AreaUnits,
  /** Overlap area ÷ analysed area, 0–1 (in a public report, of the rounded area for a restricted layer). */
  shareOfSite: z.number(),
  features: z.array(OverlapFeature),
  /** The overlap as one geometry, for display; null when none. */
  intersection: AnyGeometry.nullable(),
  /** The `inside` rule's layer (urban development boundary) only: the parts of the site inside and outside it. */
  inside: AreaUnits.optional(),
  outside: AreaUnits.optional(),
  outsideGeometry: AnyGeometry.nullable().optional(),
});

export const VerdictSchema = z.object({
  rule: z.enum(RULE_IDS),
  status: z.enum(['pass', 'warn', 'conflict']),
  titleZh: z.string(),
  titleEn: z.string(),
  messageZh: z.string(),
  messageEn: z.string(),
  ruleTextZh: z.string(),
  ruleTextEn: z.string(),
  figures: z.record(z.string(), z.number()),
});

/**
 * POST /api/site-checks/{id}/approval: the check marked approved (批准) — the approval's number
 * (批准文号) and date (Beijing calendar day, not after today, not before the check was filed).
 */
export const SiteCheckApprovalRequest = z
  .object({
    approvalNo: words('批准文号', 100).meta({ description: '批准文号', example: '豫政土〔2026〕18号' }),
    approvedOn: isoDay('批准日期').meta({ description: '批准日期（北京时间的日期）', example: '2026-06-30' }),
  })
  .meta({ id: 'SiteCheckApprovalRequest' });
export type SiteCheckApprovalRequest = z.infer<typeof SiteCheckApprovalRequest>;

/**
 * A check's approval as recorded (once; the database refuses any change): with the county it
 * counts for — the one holding the site's largest part — and the figures the yearly farmland
 * share takes from the report: the site's area and its permanent and general farmland.
 */
export const SiteCheckApproval = z
  .object({
    checkId: z.string(),
    approvalNo: z.string(),
    approvedOn: z.string(),
    /** The display name of the account that recorded it. */
    approverName: z.string(),
    /** When it was recorded (ISO instant). */
    recordedAt: z.string(),
    countyCode: z.string(),
    countyName: z.string(),
    countyNameEn: z.string(),
    newLand: AreaUnits,
    farmland: AreaUnits,
  })
  .meta({ id: 'SiteCheckApproval' });
export type SiteCheckApproval = z.infer<typeof SiteCheckApproval>;

export const SiteCheckReport = z
  .object({
    id: z.string(),
    createdAt: z.string(),
    dataVersion: z.string(),
    name: z.string().nullable(),
    use: z.string().nullable(),
    bufferMeters: z.number(),
    /** Stock first (存量优先): what the stock-land library offered, and why new land all the same. */
    stockFirst: z.discriminatedUnion('checked', [StockFirstRecord, StockFirstNotRecorded]),
    site: z.object({
      geometry: AnyGeometry,
      /** Ellipsoidal area on the CGCS2000 ellipsoid. */
      area: AreaUnits,
      /** The geometry analysed: the site, widened by bufferMeters when given. */
      analysedArea: AreaUnits,
      repaired: z.boolean(),
      repairNoteZh: z.string().nullable(),
      /** The repair note in English; absent in a report filed before it was recorded. */
      repairNoteEn: z.string().nullable().optional(),
    }),
    /**
     * Where the site came from (来源); null when the request named none; absent in a report
     * filed before provenance was recorded.
     */
    provenance: SiteProvenanceRecord.nullable().optional(),
    layers: z.array(LayerOverlap),
    /**
     * The townships (乡镇) the analysed site lies in, largest part first, with the area of the
     * part in each; absent in a report filed before townships were kept.
     */
    townships: z
      .array(
        z.object({
          code: z.string(),
          /** The township's name: data, shown as written. */
          name: z.string(),
          countyCode: z.string(),
          area: AreaUnits,
          shareOfSite: z.number(),
        }),
      )
      .optional(),
    verdicts: z.array(VerdictSchema),
    /** The site minus the layers whose rule trims (permanent farmland, the red line). */
    trimmed: z.object({ geometry: AnyGeometry.nullable(), area: AreaUnits, lost: AreaUnits }),
    /**
     * Present (true) when restricted layers' geometry and feature lists were left out for a
     * reader without the role to see them; the content hash is of the full report.
     */
    redacted: z.boolean().optional(),
    /**
     * Present in a report for the public and enterprises: the step (亩) restricted layers'
     * areas, the verdicts' figures and the trimmed site's loss are rounded to (never above the
     * analysed area; a positive overlap shows at least one step); their feature counts are null.
     */
    coarseAreaMu: z.number().optional(),
    /** Present for a check filed without a signed-in account: when it lapses and is deleted. */
    expiresAt: z.string().optional(),
    /**
     * Who filed the check, added on reading (not content, not hashed): the account's role and
     * display name (null when the account is gone), or role `public` for a check filed without
     * signing in; absent when the server does not know (a report filed before owners were kept
     * reads as `public` only when it lapses like one).
     */
    filedBy: z.object({ role: z.enum(['public', 'enterprise', 'planner', 'auditor', 'admin']), displayName: z.string().nullable() }).optional(),
    /**
     * The approval (批准文号, date), added on reading (not content, not hashed): null while the
     * check is not approved (and in the answer that files it); absent in a report read otherwise
     * (an export's).
     */
    approval: SiteCheckApproval.nullable().optional(),
    /** SHA-256 of the report's content (everything but this field). */
    contentHash: z.string(),
  })
  .meta({ id: 'SiteCheckReport' });
export type SiteCheckReport = z.infer<typeof SiteCheckReport>;

/**
 * The site's 界址点 as a table (GET /api/site-checks/{id}/boundary-points.json): the same points,
 * numbering, zone and datum as the 界址点坐标文件 export, for the report's 界址点坐标表.
 */
export const BoundaryPointsTable = z
  .object({
    zone: z.number().int(),
    zoneWidth: z.union([z.literal(3), z.literal(6)]),
    zonePrefix: z.boolean(),
    /** The 坐标系= value of the file: 2000国家大地坐标系, 1954年北京坐标系 … */
    datumName: z.string(),
    approximate: z.boolean(),
    unverified: z.boolean(),
    /** How the coordinates were got (the file route's x-coordinates-from). */
    from: z.enum(['source', 'source-datum', 'placement', 'local-ellipsoid', 'cgcs2000']),
    /** Plane area of the points in hectares (the file's header area, unrounded); null without points. */
    areaHa: z.number().nullable(),
    /** Every point of the site (closing points included). */
    pointCount: z.number().int(),
    /** The first `limit` points: J name, ring, X northing, Y easting in metres (unrounded). */
    points: z.array(z.object({ name: z.string(), ring: z.number().int(), x: z.number(), y: z.number() })),
  })
  .meta({ id: 'BoundaryPointsTable' });
export type BoundaryPointsTable = z.infer<typeof BoundaryPointsTable>;
// ---------------------------------------------------------------------------------------------
// The live preview on the server (选址预览): figures only, for a reader who may not fetch the
// restricted layers' features (the public, enterprises)

export const SitePreviewRequest = z
  .object({
    geometry: SiteGeometry,
    /** Widen the analysed area by this many metres around the site (0–1 000), as the check would. */
    bufferMeters: z.number().min(0, '缓冲距离不能为负').max(1000, '缓冲距离最多 1000 米').optional(),
    /** The layers to preview (those with a rule); all of them when absent. */
    layers: z.array(z.enum(RULE_IDS, { message: `预览图层只能是：${RULE_IDS.join('、')}` })).min(1, '预览图层至少一个').optional(),
  })
  .meta({ id: 'SitePreviewRequest' });
export type SitePreviewRequest = z.infer<typeof SitePreviewRequest>;

export const SitePreviewLayer = z.object({
  layerId: z.enum(RULE_IDS),
  /** Features overlapping the site; null where the reader may not see the layer (as in a public report). */
  count: z.number().int().nullable(),
  /** Overlap area, m² on the CGCS2000 ellipsoid; rounded to `coarseAreaMu` where count is null. */
  m2: z.number(),
  /** Always false: the server overlays every feature (kept for the client preview's shape). */
  truncated: z.boolean(),
});

export const SitePreviewResponse = z
  .object({
    /** The site's area, m² on the ellipsoid. */
    siteM2: z.number(),
    /** The analysed area (the site widened by bufferMeters), m². */
    analysedM2: z.number(),
    layers: z.array(SitePreviewLayer),
    /** Inside / outside the urban development boundary, m² (when that layer was previewed). */
    boundary: z.object({ insideM2: z.number(), outsideM2: z.number() }).nullable(),
    truncated: z.boolean(),
    /** Present when restricted layers' areas are rounded to this step (亩), as a public report rounds them. */
    coarseAreaMu: z.number().optional(),
  })
  .meta({ id: 'SitePreviewResponse' });
export type SitePreviewResponse = z.infer<typeof SitePreviewResponse>;
