/** The site check (选址套核): request and saved report. */
import { z } from 'zod';

const Position = z.array(z.number()).min(2).max(3);
const Ring = z.array(Position);
export const SitePolygon = z.object({ type: z.literal('Polygon'), coordinates: z.array(Ring).min(1) });
export const SiteMultiPolygon = z.object({ type: z.literal('MultiPolygon'), coordinates: z.array(z.array(Ring).min(1)).min(1) });
export const SiteGeometry = z.discriminatedUnion('type', [SitePolygon, SiteMultiPolygon]).meta({
  description: 'GeoJSON Polygon 或 MultiPolygon，EPSG:4490 经纬度',
});
export type SiteGeometry = z.infer<typeof SiteGeometry>;

export const SiteCheckRequest = z
  .object({
    geometry: SiteGeometry,
    name: z.string().trim().max(200, '项目名称最多 200 个字符').optional(),
    /** Planned use (规划用途), e.g. 工业. */
    use: z.string().trim().max(50, '用途最多 50 个字符').optional(),
    /** Widen the analysed area by this many metres around the site (0–1 000). */
    bufferMeters: z.number().min(0, 'bufferMeters 不能为负').max(1000, 'bufferMeters 最多 1000 米').optional(),
    /** Repair a self-intersecting site (ST_MakeValid) instead of refusing it. */
    repair: z.boolean().optional(),
  })
  .meta({ id: 'SiteCheckRequest' });
export type SiteCheckRequest = z.infer<typeof SiteCheckRequest>;

export const AreaUnits = z.object({ m2: z.number(), ha: z.number(), mu: z.number() });
export type AreaUnitsT = z.infer<typeof AreaUnits>;

const AnyGeometry = z.object({ type: z.string(), coordinates: z.array(z.any()) });

export const OverlapFeature = z.object({
  id: z.number().int(),
  code: z.string(),
  /** A few identifying attributes (land class, name …). */
  attributes: z.record(z.string(), z.union([z.string(), z.number(), z.null()])),
  overlapArea: AreaUnits,
});

export const LayerOverlap = z.object({
  layerId: z.string(),
  nameZh: z.string(),
  nameEn: z.string(),
  intersects: z.boolean(),
  /** Features overlapping the site with a positive area (an edge touch is not an overlap). */
  count: z.number().int(),
  area: AreaUnits,
  /** Overlap area ÷ analysed area, 0–1. */
  shareOfSite: z.number(),
  features: z.array(OverlapFeature),
  /** The overlap as one geometry, for display; null when none. */
  intersection: AnyGeometry.nullable(),
  /** Urban development boundary only: the parts of the site inside and outside it. */
  inside: AreaUnits.optional(),
  outside: AreaUnits.optional(),
  outsideGeometry: AnyGeometry.nullable().optional(),
});

export const VerdictSchema = z.object({
  rule: z.enum(['permanent-farmland', 'eco-redline', 'urban-boundary', 'general-farmland']),
  status: z.enum(['pass', 'warn', 'conflict']),
  titleZh: z.string(),
  titleEn: z.string(),
  messageZh: z.string(),
  messageEn: z.string(),
  ruleTextZh: z.string(),
  ruleTextEn: z.string(),
  figures: z.record(z.string(), z.number()),
});

export const SiteCheckReport = z
  .object({
    id: z.string(),
    createdAt: z.string(),
    dataVersion: z.string(),
    name: z.string().nullable(),
    use: z.string().nullable(),
    bufferMeters: z.number(),
    site: z.object({
      geometry: AnyGeometry,
      /** Ellipsoidal area on the CGCS2000 ellipsoid. */
      area: AreaUnits,
      /** The geometry analysed: the site, widened by bufferMeters when given. */
      analysedArea: AreaUnits,
      repaired: z.boolean(),
      repairNoteZh: z.string().nullable(),
    }),
    layers: z.array(LayerOverlap),
    verdicts: z.array(VerdictSchema),
    /** The site minus permanent farmland and the red line. */
    trimmed: z.object({ geometry: AnyGeometry.nullable(), area: AreaUnits, lost: AreaUnits }),
    /** SHA-256 of the report's content (everything but this field). */
    contentHash: z.string(),
  })
  .meta({ id: 'SiteCheckReport' });
export type SiteCheckReport = z.infer<typeof SiteCheckReport>;
