/**
 * The authoritative site check: validate (and repair on request) the site before any
 * overlay, intersect it with every layer that has a rule in the registry, judge each rule,
 * trim the site to what is compliant, and file the report immutably.
 *
 * Areas are ellipsoidal on CGCS2000 (GeographicLib through core/ellipsoidal-area.ts),
 * computed from the full-precision overlay geometry PostGIS returns.
 */
import { beijingTime } from '../../../../core/beijing-time.ts';
import { createHash, randomUUID } from 'node:crypto';
import { getLayer, RULE_IDS, ruleLayers, trimmingLayers } from '../../../../core/layers.ts';
import { ellipsoidalArea, type AreaGeometry } from '../../../../core/ellipsoidal-area.ts';
import { judge, OVERLAP_EPSILON_M2, type Verdict } from '../../../../core/rules.ts';
import { M2_PER_MU, toAreaUnits } from '../../../../core/units.ts';
import {
  SiteCheckReport as SiteCheckReportSchema,
  STOCK_FIRST_NOT_RECORDED,
  type SiteCheckRequest,
  type SiteGeometry,
  type SitePreviewRequest,
  type SitePreviewResponse,
  type StockFirstRecord,
} from '../../../../core/contracts/site-check.ts';
import type { StockMatchRequest, StockMatchResponse } from '../../../../core/contracts/stock.ts';
import { newLandReason, reasonConflict, STOCK_FIRST_CANDIDATES } from '../../../../core/stock-first.ts';
type SiteCheckReport = import('../../../../core/contracts/site-check.ts').SiteCheckReport;
import type { Queryable } from '../../db/database.ts';
import { AppError } from '../../plugins/errors.ts';
import { describeGeosReason } from '../../../../core/geos-reason.ts';
import { readDataVersions } from '../data-version/service.ts';
import { difference, hasFeatures, loadReport, overlay, prepareSite, saveReport, type PreparedSite } from './repo.ts';
import type { Charge } from './budget.ts';
import { provenanceRecord } from './provenance.ts';

// The same limits the client's validation uses: sites lie in and around Kaifeng (beyond that the
// CRS is probably wrong or the axes swapped), ≤ 50 000 vertices, ≤ 100 km².
import { dataExtent, MAX_AREA_M2, MAX_VERTICES } from '../../../../core/geometry-validation.ts';

type Geo = { type: string; coordinates: unknown[] };

const areaOf = (g: Geo | null): number =>
  g && (g.type === 'Polygon' || g.type === 'MultiPolygon') ? ellipsoidalArea(g as AreaGeometry) : 0;

/**
 * Overlap and outside-boundary geometries for display (the report's map figures and exports):
 * their areas are computed before rounding, and 1e-7° is about 1 cm. The site itself and the
 * trimmed site are filed at full precision.
 */
const round7 = (g: Geo): Geo => ({
  type: g.type,
  coordinates: JSON.parse(JSON.stringify(g.coordinates), (_k, v: unknown) => (typeof v === 'number' ? Math.round(v * 1e7) / 1e7 : v)) as unknown[],
});

/** Checks done before the database sees the site: shape, ranges, size. */
function precheck(geometry: SiteCheckRequest['geometry']): void {
  const DATA_EXTENT = dataExtent();
  const kaifeng = DATA_EXTENT.en === 'around Kaifeng';
  const polygons = geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates;
  let vertices = 0;
  for (const [pi, poly] of polygons.entries()) {
    for (const [ri, ring] of poly.entries()) {
      const where = `第 ${pi + 1} 个多边形第 ${ri + 1} 个环`;
      const whereEn = `polygon ${pi + 1}, ring ${ri + 1}`;
      if (ring.length < 4) throw new AppError(422, 'RING_TOO_SHORT', `${where}只有 ${ring.length} 个点，至少需要 4 个（首尾相同）`, `${whereEn} has ${ring.length} positions; at least 4 are needed (first = last)`);
      const first = ring[0]!;
      const last = ring[ring.length - 1]!;
      if (first[0] !== last[0] || first[1] !== last[1]) throw new AppError(422, 'RING_NOT_CLOSED', `${where}未闭合：首点与末点不同`, `${whereEn} is not closed: first and last positions differ`);
      for (const p of ring) {
        vertices++;
        const [lon, lat] = p as [number, number];
        if (lon < DATA_EXTENT.minLon || lon > DATA_EXTENT.maxLon || lat < DATA_EXTENT.minLat || lat > DATA_EXTENT.maxLat) {
          const swapped = lat >= DATA_EXTENT.minLon && lat <= DATA_EXTENT.maxLon && lon >= DATA_EXTENT.minLat && lon <= DATA_EXTENT.maxLat;
          throw new AppError(
            422,
            'OUTSIDE_DATA_EXTENT',
            `坐标 (${lon}, ${lat}) 超出${kaifeng ? '开封市' : '河南省'}数据范围${swapped ? '：经纬度可能颠倒' : '：可能坐标系不对（应为 CGCS2000 经纬度）'}`,
            `Position (${lon}, ${lat}) is outside the ${kaifeng ? 'Kaifeng' : 'Henan'} data extent${swapped ? ': longitude and latitude look swapped' : ': probably the wrong coordinate system (CGCS2000 lon/lat expected)'}`,
          );
        }
      }
    }
  }
  if (vertices > MAX_VERTICES) throw new AppError(422, 'TOO_MANY_VERTICES', `选址共有 ${vertices} 个顶点，超过上限 ${MAX_VERTICES}`, `The site has ${vertices} vertices; the limit is ${MAX_VERTICES}`);
}

const zeroArea = () => new AppError(422, 'ZERO_AREA', '选址面积为零（各点共线或重合）', 'The site has no area (its points are collinear or coincide)');

export interface SiteCheckOptions {
  /** The stock-land matcher (the app's `stockCatalogue.match`): the stock-first step. */
  matchStock: (req: StockMatchRequest) => Promise<StockMatchResponse>;
  /** Called when the report is filed (tests read it back). */
  now?: () => Date;
  /** The signed-in account filing the check (its own checks are listed for it); none for the public. */
  ownerId?: number | null;
  /**
   * Charges the check's analysed area to a daily budget once the site is known to be valid and
   * before any overlay (site-check/budget.ts); throws when over budget. The charge is given
   * back if the check then fails.
   */
  charge?: (analysedM2: number) => Promise<Charge>;
  /** When the filed check lapses (a check by the public); none: a permanent report. */
  expiresAt?: Date | null;
  /** The report's id (the seed's, derived from its seed); default a random UUID. */
  id?: string;
}

/**
 * Stock first (存量优先): the stock-land library matched for the site's use and area near the
 * site — the server's own match, within the configured search radius, whatever the client
 * previewed — and the planner's reason for going on to new land, refused when it says "none
 * found" and the match found some within the radius.
 */
async function stockFirstStep(
  req: SiteCheckRequest,
  site: { geometry: SiteGeometry; m2: number },
  matchStock: SiteCheckOptions['matchStock'],
): Promise<StockFirstRecord> {
  const need = toAreaUnits(site.m2);
  // within the configured stock-first radius: a parcel farther away is no offer for this site
  const match = await matchStock({ use: req.use, areaMu: need.mu, near: site.geometry, stockFirst: true, limit: STOCK_FIRST_CANDIDATES });
  const conflict = reasonConflict(req.stockFirst.reason, match.tally, match.need.maxDistanceKm);
  if (conflict) throw new AppError(422, 'STOCK_CANDIDATES_EXIST', conflict.zh, conflict.en);
  return {
    checked: true,
    use: req.use,
    need,
    summaryZh: match.summaryZh,
    summaryEn: match.summaryEn,
    tally: match.tally,
    radiusKm: match.need.maxDistanceKm,
    candidates: match.candidates.map((c) => ({
      rank: c.rank,
      kind: c.kind,
      parcels: c.parcels.map((p) => ({ code: p.code, name: p.name, plannedUse: p.plannedUse, area: p.area })),
      totalArea: c.totalArea,
      score: c.score,
      distanceM: c.distanceM,
    })),
    reason: newLandReason(req.stockFirst.reason, req.stockFirst.note),
  };
}

/**
 * One layer with a rule against the analysed site: the overlap of each feature (an edge or corner
 * touch is none), their total and, for the `inside` rule's layer, the part outside it. The site
 * check and the server-side preview both measure a site with it; `figuresOnly` (the preview) counts
 * and measures without building the overlap outlines and feature lists it would not answer.
 */
async function overlayLayer(db: Queryable, layer: (typeof ruleLayers)[number], analysed: string, analysedM2: number, figuresOnly = false) {
  const rows = await overlay(db, layer, analysed, layer.rule.attributes);
  const features: SiteCheckReport['layers'][number]['features'] = [];
  const parts: unknown[] = [];
  let total = 0;
  let count = 0;
  for (const row of rows) {
    const g = JSON.parse(row.overlap) as Geo;
    const m2 = areaOf(g);
    if (m2 <= OVERLAP_EPSILON_M2) continue; // a shared edge or corner is not an overlap
    total += m2;
    count++;
    // the preview answers figures only: no outline or feature list to build and throw away
    if (figuresOnly) continue;
    parts.push(...(g.type === 'Polygon' ? [g.coordinates] : g.coordinates));
    features.push({
      id: Number(row.id),
      code: row.code,
      attributes: Object.fromEntries(layer.rule.attributes.map((a) => [a, (row[a] ?? null) as string | number | null])),
      overlapArea: toAreaUnits(m2),
    });
  }
  const entry: SiteCheckReport['layers'][number] = {
    layerId: layer.id,
    nameZh: layer.nameZh,
    nameEn: layer.nameEn,
    intersects: count > 0,
    count,
    area: toAreaUnits(total),
    shareOfSite: analysedM2 > 0 ? total / analysedM2 : 0,
    features,
    intersection: parts.length ? round7({ type: 'MultiPolygon', coordinates: parts }) : null,
  };
  let outsideM2: number | undefined;
  if (layer.rule.kind === 'inside') {
    const { rest } = await difference(db, [layer.table], analysed);
    const outside = rest ? (JSON.parse(rest) as Geo) : null;
    outsideM2 = areaOf(outside);
    entry.inside = toAreaUnits(total);
    entry.outside = toAreaUnits(outsideM2);
    entry.outsideGeometry = !figuresOnly && outside && outsideM2 > OVERLAP_EPSILON_M2 ? round7(outside) : null;
  }
  return { entry, total, outsideM2, rows: rows.length };
}

/**
 * The analysed site against every layer with a rule (in report order, listing the rule's
 * attributes for each hit), the verdicts, and the site trimmed of the layers whose rule trims.
 */
async function overlayAll(db: Queryable, analysed: string, analysedM2: number) {
  const layers: SiteCheckReport['layers'] = [];
  const verdicts: Verdict[] = [];
  for (const layer of ruleLayers) {
    const { entry, total, outsideM2, rows } = await overlayLayer(db, layer, analysed, analysedM2);
    layers.push(entry);
    // a layer with no features at all cannot clear a site: its verdict says it was not judged
    const layerEmpty = rows === 0 && !(await hasFeatures(db, layer.table));
    verdicts.push(judge(layer.id, { overlapM2: total, siteM2: analysedM2, ...(outsideM2 !== undefined ? { outsideM2 } : {}), ...(layerEmpty ? { layerEmpty } : {}) }));
  }

  // Trim to compliant: the site without the layers whose rule trims (farmland, red line).
  const trimmedRest = await difference(db, trimmingLayers.map((l) => l.table), analysed);
  const trimmedGeo = trimmedRest.rest ? (JSON.parse(trimmedRest.rest) as Geo) : null;
  const { trimmedM2, lostM2 } = trimmedFigures(layers, analysedM2, areaOf(trimmedGeo));

  return { layers, verdicts, trimmedGeo, trimmedM2, lostM2 };
}

const TRIMMING_IDS = new Set<string>(trimmingLayers.map((l) => l.id));

/**
 * What trimming removed, as one number with the overlaps it is made of: the sum of the trimming
 * layers' overlaps when that sum is the removed area (the layers' features do not overlap one
 * another, as farmland and the red line may not) — so "removed 1.4872 ha" is printed from the
 * same number as "permanent farmland 1.4872 ha", not from the difference, which agrees only to
 * 1e-12 and can round the other way. Where features do overlap, the sum counts twice and the
 * geometric difference is the figure. The trimmed area is then the analysed area less it.
 */
function trimmedFigures(layers: SiteCheckReport['layers'], analysedM2: number, restM2: number): { trimmedM2: number; lostM2: number } {
  const geometricLost = Math.max(0, analysedM2 - restM2);
  const summed = layers.filter((l) => TRIMMING_IDS.has(l.layerId)).reduce((sum, l) => sum + l.area.m2, 0);
  const agrees = Math.abs(summed - geometricLost) <= 1e-9 * analysedM2 + 1e-6;
  const lostM2 = Math.min(analysedM2, agrees ? summed : geometricLost);
  return { trimmedM2: analysedM2 - lostM2, lostM2 };
}

/**
 * The site as the overlays take it: checked before the database sees it, validated (repaired when
 * asked), widened by the buffer, measured; refused with 422 and the reason in both languages when
 * it is no site to check.
 */
async function analyseSite(db: Queryable, geometry: SiteCheckRequest['geometry'], repair: boolean, bufferMeters: number) {
  precheck(geometry);
  const prepared = await prepareSite(db, JSON.stringify(geometry), repair, bufferMeters);
  if (!prepared.valid && !(prepared.repairable_area > 0)) throw zeroArea();
  const why = prepared.valid ? null : describeGeosReason(prepared.reason, prepared.location ? (JSON.parse(prepared.location) as { coordinates: number[] }).coordinates : null);
  if (why && !repair) {
    throw new AppError(
      422,
      why.selfIntersection ? 'SELF_INTERSECTION' : 'INVALID_GEOMETRY',
      `选址几何无效：${why.text.zh}。请修正后重试，或选择自动修复。`,
      `The site geometry is invalid: ${why.text.en}. Fix it, or ask for an automatic repair.`,
    );
  }
  if (!prepared.site || !prepared.analysed || prepared.repaired_valid === false) {
    throw new AppError(422, 'EMPTY_GEOMETRY', '选址修复后没有面积，无法套核', 'Nothing with an area is left of the site after repair');
  }
  const site = JSON.parse(prepared.site) as Geo;
  const siteM2 = areaOf(site);
  if (siteM2 <= OVERLAP_EPSILON_M2) throw zeroArea();
  if (siteM2 > MAX_AREA_M2) {
    throw new AppError(422, 'SITE_TOO_LARGE', `选址面积 ${(siteM2 / 1e6).toFixed(2)} 平方千米，超过上限 100 平方千米`, `The site covers ${(siteM2 / 1e6).toFixed(2)} km²; the limit is 100 km²`);
  }
  const analysedM2 = areaOf(JSON.parse(prepared.analysed) as Geo);
  return { prepared: { ...prepared, site: prepared.site, analysed: prepared.analysed }, site, siteM2, analysedM2 };
}

export async function runSiteCheck(db: Queryable, req: SiteCheckRequest, opts: SiteCheckOptions): Promise<SiteCheckReport> {
  const bufferMeters = req.bufferMeters ?? 0;
  const { prepared, site, siteM2, analysedM2 } = await analyseSite(db, req.geometry, req.repair ?? false, bufferMeters);

  // The budget counts what the overlay looks at: the site widened by its buffer.
  const charge = await opts.charge?.(Math.max(siteM2, analysedM2));
  try {
    return await checkAndFile(db, req, opts, { prepared, site, siteM2, analysedM2, bufferMeters });
  } catch (err) {
    await charge?.refund().catch(() => undefined);
    throw err;
  }
}

export interface SitePreviewOptions {
  /** Charges the preview's analysed area to the preview budget before any overlay (budget.ts). */
  charge?: (analysedM2: number) => Promise<Charge>;
  /** The largest analysed area one preview may cover, m² (refused with 422 beyond it). */
  maxAreaM2?: number;
}

/**
 * The live preview on the server (选址预览): the check's own validation and overlays
 * (analyseSite, overlayLayer) for the layers asked, figures only — nothing is filed, no stock
 * match, no trimming. Unredacted: routes.ts rounds what the reader may not see (redact.ts).
 */
export async function previewSiteCheck(db: Queryable, req: SitePreviewRequest, opts: SitePreviewOptions = {}): Promise<SitePreviewResponse> {
  const bufferMeters = req.bufferMeters ?? 0;
  const { prepared, siteM2, analysedM2 } = await analyseSite(db, req.geometry, false, bufferMeters);
  const analysedMax = Math.max(siteM2, analysedM2);
  if (opts.maxAreaM2 !== undefined && analysedMax > opts.maxAreaM2) {
    const mu = (m2: number) => (m2 / M2_PER_MU).toFixed(0);
    throw new AppError(
      422,
      'PREVIEW_TOO_LARGE',
      `选址（含缓冲区）${mu(analysedMax)} 亩，超过预览上限 ${mu(opts.maxAreaM2)} 亩（${(opts.maxAreaM2 / 1e6).toFixed(2)} 平方千米），不作预览；可直接套核，或登录后预览`,
      `The site (with its buffer) covers ${mu(analysedMax)} mu, more than the ${mu(opts.maxAreaM2)} mu (${(opts.maxAreaM2 / 1e6).toFixed(2)} km²) a preview may cover; run the check itself, or sign in to preview it`,
    );
  }
  const wanted = new Set<string>(req.layers ?? RULE_IDS);
  const charge = await opts.charge?.(analysedMax);
  try {
    const layers: SitePreviewResponse['layers'] = [];
    let boundary: SitePreviewResponse['boundary'] = null;
    for (const layer of ruleLayers) {
      if (!wanted.has(layer.id)) continue;
      const { entry, total, outsideM2 } = await overlayLayer(db, layer, prepared.analysed, analysedM2, true);
      layers.push({ layerId: layer.id, count: entry.count, m2: total, truncated: false });
      if (outsideM2 !== undefined) boundary = { insideM2: total, outsideM2 };
    }
    return { siteM2, analysedM2, layers, boundary, truncated: false };
  } catch (err) {
    await charge?.refund().catch(() => undefined);
    throw err;
  }
}

/**
 * The townships the analysed site lies in, with the ellipsoidal area of the part in each (an edge
 * or corner touch is none), largest first. The townships tile their counties, so the parts add
 * up to the part of the site inside the city.
 */
async function siteTownships(db: Queryable, analysed: string, analysedM2: number): Promise<NonNullable<SiteCheckReport['townships']>> {
  const rows = await overlay(db, getLayer('township')!, analysed, ['county_code', 'name']);
  return rows
    .map((row) => ({ row, m2: areaOf(JSON.parse(row.overlap) as Geo) }))
    .filter((r) => r.m2 > OVERLAP_EPSILON_M2)
    .sort((a, b) => b.m2 - a.m2 || a.row.code.localeCompare(b.row.code))
    .map(({ row, m2 }) => ({
      code: row.code,
      name: String(row.name),
      countyCode: String(row.county_code),
      area: toAreaUnits(m2),
      shareOfSite: analysedM2 > 0 ? m2 / analysedM2 : 0,
    }));
}

async function checkAndFile(
  db: Queryable,
  req: SiteCheckRequest,
  opts: SiteCheckOptions,
  { prepared, site, siteM2, analysedM2, bufferMeters }: { prepared: PreparedSite & { analysed: string; site: string }; site: Geo; siteM2: number; analysedM2: number; bufferMeters: number },
): Promise<SiteCheckReport> {
  // Stock first and the overlays side by side: the match works in memory while the database
  // overlays (the site as sent is what the planner's preview matched; a repaired site is
  // matched as repaired). A refused reason ends the check before anything is filed.
  const [stockFirst, { layers, verdicts, trimmedGeo, trimmedM2, lostM2 }] = await Promise.all([
    stockFirstStep(req, { geometry: prepared.valid ? req.geometry : (site as SiteGeometry), m2: siteM2 }, opts.matchStock),
    overlayAll(db, prepared.analysed, analysedM2),
  ]);
  const townships = await siteTownships(db, prepared.analysed, analysedM2);

  const why = prepared.valid ? null : describeGeosReason(prepared.reason, prepared.location ? (JSON.parse(prepared.location) as { coordinates: number[] }).coordinates : null);
  const versions = await readDataVersions(db);
  const createdAt = (opts.now?.() ?? new Date()).toISOString();
  const content: Omit<SiteCheckReport, 'contentHash'> = {
    id: opts.id ?? randomUUID(),
    createdAt,
    dataVersion: versions.overall,
    name: req.name || null,
    use: req.use,
    bufferMeters,
    stockFirst,
    site: {
      // the site as submitted, every digit (a repaired site as PostGIS gives it, 15 decimals)
      geometry: prepared.valid ? req.geometry : site,
      area: toAreaUnits(siteM2),
      analysedArea: toAreaUnits(analysedM2),
      repaired: !prepared.valid,
      repairNoteZh: why ? `原几何无效（${why.text.zh}），已自动修复；修复后面积 ${toAreaUnits(siteM2).mu.toFixed(2)} 亩。` : null,
      repairNoteEn: why ? `The geometry as drawn was not valid (${why.text.en}) and was repaired; the repaired site covers ${toAreaUnits(siteM2).mu.toFixed(2)} mu.` : null,
    },
    provenance: provenanceRecord(req.provenance, req.geometry, !prepared.valid),
    layers,
    townships,
    verdicts: verdicts.map((v) => ({ ...v, figures: v.figures as unknown as Record<string, number> })),
    trimmed: {
      // full precision: the trimmed site is meant to be checked again, and rounding its
      // vertices would reopen slivers along the farmland it was cut from
      geometry: trimmedGeo && trimmedM2 > OVERLAP_EPSILON_M2 ? { type: trimmedGeo.type, coordinates: trimmedGeo.coordinates } : null,
      area: toAreaUnits(trimmedM2),
      lost: toAreaUnits(lostM2),
    },
  };
  const contentHash = hashReport(content);
  const report: SiteCheckReport = { ...content, contentHash };
  await saveReport(db, {
    id: report.id,
    createdAt,
    name: report.name,
    use: report.use,
    dataVersion: report.dataVersion,
    areaM2: siteM2,
    contentHash,
    report,
    // stored from the submitted text, full precision, unless repaired
    site: prepared.valid ? JSON.stringify(req.geometry) : prepared.site,
    ownerId: opts.ownerId ?? null,
    expiresAt: opts.expiresAt ?? null,
  });
  return opts.expiresAt ? { ...report, expiresAt: opts.expiresAt.toISOString() } : report;
}

/**
 * SHA-256 over the report's content in a canonical form (keys sorted), without the hash itself.
 * A report filed before the stock-first step has no stockFirst in its content: the
 * "not recorded" statement readFiledReport adds is not part of what was hashed.
 */
export function hashReport(content: Omit<SiteCheckReport, 'contentHash'> | SiteCheckReport): string {
  // what the server adds on reading (expiry, redaction, who filed it, its approval) is not content
  const { contentHash: _drop, expiresAt: _expires, redacted: _redacted, coarseAreaMu: _coarse, filedBy: _filer, approval: _approval, ...rest } = content as SiteCheckReport;
  if (rest.stockFirst?.checked === false) delete (rest as Partial<SiteCheckReport>).stockFirst;
  const canonical = JSON.stringify(rest, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)))
      : v,
  );
  return createHash('sha256').update(canonical).digest('hex');
}

/** Whether a string has the form of a report id (a UUID). */
export const isReportId = (id: string): boolean => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(id);

/** A filed report by id: 400 for a malformed id, 404 when there is none. */
export async function readFiledReport(db: Queryable, id: string): Promise<SiteCheckReport> {
  if (!isReportId(id)) throw new AppError(400, 'INVALID_ID', `报告编号格式不正确：“${id.slice(0, 40)}”`, `Malformed report id: "${id.slice(0, 40)}"`);
  const stored = await loadReport(db, id);
  if (!stored) throw new AppError(404, 'REPORT_NOT_FOUND', `没有编号为 ${id} 的选址套核报告`, `No site-check report ${id}`);
  if (stored.lapsed) {
    // one time zone, stated, as the report and the panel print it
    const until = beijingTime(stored.expiresAt!.toISOString());
    throw new AppError(
      404,
      'REPORT_LAPSED',
      `选址套核报告 ${id} 是未登录时所做的套核，已于 ${until}（北京时间）过期删除；登录后所做的套核才作为永久报告保存。`,
      `Site-check report ${id} was a check made without signing in and lapsed at ${until} (Beijing time); only checks made while signed in are kept as permanent reports.`,
    );
  }
  // filed before the stock-first step: say that no stock-land check is recorded
  const filed = stored.report as Record<string, unknown>;
  const report = SiteCheckReportSchema.parse('stockFirst' in filed ? filed : { ...filed, stockFirst: STOCK_FIRST_NOT_RECORDED });
  const filedBy = stored.filedBy ?? (stored.expiresAt ? { role: 'public' as const, displayName: null } : undefined);
  return { ...report, ...(stored.expiresAt ? { expiresAt: stored.expiresAt.toISOString() } : {}), ...(filedBy ? { filedBy } : {}) };
}
