/**
 * What the report page needs besides React: loading and validating the filed report, the
 * page's words (report-side keys of i18n.ts), the export links, and the geometries each map
 * figure draws. Figures are written by format.ts.
 */
import { BoundaryPointsTable, SiteCheckReport } from '../../../core/contracts/site-check.ts';
import { vocabularyEn } from '../../../core/vocabulary.ts';
import { BOUNDARY_RULE, getLayer, type LayerId } from '../../../core/layers.ts';
import { getJson } from '../http.ts';
import { pickField, translate, type Lang, type StringKey } from '../i18n.ts';

export type Report = SiteCheckReport;
export type LayerOverlap = Report['layers'][number];
export type VerdictStatus = Report['verdicts'][number]['status'];

/** Reads a filed report from the server and checks it against the contract. */
export const fetchReport = (id: string, lang: Lang): Promise<Report> =>
  getJson(`/api/site-checks/${encodeURIComponent(id)}`, { lang, schema: SiteCheckReport });


export type { BoundaryPointsTable };

/** The site's 界址点 as the server writes them into the 界址点 file, as a table. */
export const fetchBoundaryPoints = (
  id: string,
  c: { zone: number; prefix: boolean; datum: 'source' | 'cgcs2000'; limit?: number },
  lang: Lang,
  signal?: AbortSignal,
): Promise<BoundaryPointsTable> =>
  getJson(
    `/api/site-checks/${encodeURIComponent(id)}/boundary-points.json?zone=${c.zone}&zoneWidth=3&prefix=${c.prefix}${c.datum === 'cgcs2000' ? '&datum=cgcs2000' : ''}${c.limit === undefined ? '' : `&limit=${c.limit}`}`,
    { lang, schema: BoundaryPointsTable, signal },
  );

/**
 * The address that verifies a printed report: the stored report's page with its content hash,
 * which the page compares with the stored one.
 *
 * @example verificationLink('https://yzt.example', { id: 'ab…', contentHash: '12…' }) // 'https://yzt.example/reports/ab…?sha256=12…'
 */
export const verificationLink = (origin: string, r: { id: string; contentHash: string }) => `${origin}/reports/${encodeURIComponent(r.id)}?sha256=${r.contentHash}`;

/** The report page's words: the `rp_…` keys of i18n.ts. */
export type WordKey = StringKey extends infer K ? (K extends `rp_${infer W}` ? W : never) : never;

/** A word of the page in a language. */
export const word = (lang: Lang, key: WordKey, vars?: Record<string, string | number>): string => translate(lang, `rp_${key}`, vars);

/** Verdict statuses as the page prints them (shared with the panel and the Excel export). */
export { STATUS_LABEL } from '../../../core/rules.ts';

/** The worst status of a report's verdicts. */
export function overallStatus(report: Report): VerdictStatus {
  const s = report.verdicts.map((v) => v.status);
  return s.includes('conflict') ? 'conflict' : s.includes('warn') ? 'warn' : 'pass';
}

/** A stock candidate's distance from the site: "850 m", "1.2 km". */
export { distanceText } from '../../../core/stock-first.ts';

/** A layer's name in a language. */
export const layerName = (l: LayerOverlap, lang: Lang) => pickField(l, 'name', lang);

/** The registry label of a feature attribute. */
export function attributeLabel(layerId: string, name: string, lang: Lang): string {
  const a = getLayer(layerId)?.attributes.find((x) => x.name === name);
  return a ? pickField(a, 'label', lang) : name;
}

/**
 * A feature attribute's value in a language: the English of its enumeration (core/vocabulary.ts)
 * with `data: false`, or the value as it is — a name, a code — with `data: true` (untranslated).
 */
export function attributeValue(layerId: string, name: string, value: string, lang: Lang): { text: string; data: boolean } {
  const a = getLayer(layerId)?.attributes.find((x) => x.name === name);
  const en = lang === 'en' ? vocabularyEn(a?.values, value) : null;
  return en === null ? { text: value, data: true } : { text: en, data: false };
}

/** The export links of a report. */
export function exportLinks(id: string, zone: number, encoding: 'gbk' | 'utf-8', opts: { prefix?: boolean; datum?: 'source' | 'cgcs2000' } = {}) {
  const base = `/api/site-checks/${encodeURIComponent(id)}`;
  return {
    xlsx: `${base}/export.xlsx`,
    geojson: `${base}/export.geojson`,
    zip: `${base}/export.zip`,
    boundaryPoints: `${base}/boundary-points.txt?zone=${zone}&zoneWidth=3&prefix=${opts.prefix ?? true}&encoding=${encoding}${opts.datum === 'cgcs2000' ? '&datum=cgcs2000' : ''}`,
  };
}

/**
 * What the 界址点 export starts from for a report: the zone and prefix of the file the site came
 * from (a 3° zone), else zone 38 with the prefix; and whether the site is on a local datum that
 * may also be exported in CGCS2000 (shifted with seven parameters, not placed approximately).
 */
export function boundaryPointsDefaults(report: Report): { zone: number; prefix: boolean; localDatum: 'beijing54' | 'xian80' | null; cgcs2000Allowed: boolean } {
  const p = report.provenance;
  const c = p?.confirmed;
  const zone = c?.zone !== undefined && (c.zoneWidth ?? 3) === 3 && ZONES_3.includes(c.zone) ? c.zone : 38;
  const g = p?.source?.geometries.find((x) => x);
  const first = g ? (g.type === 'Polygon' ? g.coordinates[0]?.[0] : g.coordinates[0]?.[0]?.[0]) : undefined;
  const prefix = first ? first[0]! >= 1_000_000 : true;
  const localDatum = c && (c.datum === 'beijing54' || c.datum === 'xian80') ? c.datum : null;
  return { zone, prefix, localDatum, cgcs2000Allowed: !!localDatum && c!.datumTransform !== 'approximate' && !p!.warnings.some((w) => w.code === 'DATUM_APPROXIMATE') };
}

/** The 3° zones of CGCS2000 Gauss–Krüger (25–45); Henan lies in 37–39. */
export const ZONES_3: number[] = Array.from({ length: 21 }, (_, i) => 25 + i);

type Geo = { type: string; coordinates: unknown[] };
export type Bbox = [number, number, number, number];

/** [minLon, minLat, maxLon, maxLat] of a geometry. */
export function bboxOf(g: Geo): Bbox {
  const b: Bbox = [Infinity, Infinity, -Infinity, -Infinity];
  const walk = (c: unknown): void => {
    if (Array.isArray(c) && typeof c[0] === 'number' && typeof c[1] === 'number') {
      b[0] = Math.min(b[0], c[0]);
      b[1] = Math.min(b[1], c[1]);
      b[2] = Math.max(b[2], c[0]);
      b[3] = Math.max(b[3], c[1]);
    } else if (Array.isArray(c)) c.forEach(walk);
  };
  walk(g.coordinates);
  return b;
}

/** What one map figure draws: the site, overlaps (coloured by layer), the outside part, the trimmed part. */
export interface FigureContent {
  site: Geo;
  overlaps: { layerId: LayerId; geometry: Geo }[];
  outside: Geo | null;
  trimmed: Geo | null;
}

const asFeature = (geometry: Geo, properties: Record<string, string> = {}): GeoJSON.Feature => ({
  type: 'Feature',
  properties,
  geometry: geometry as GeoJSON.Geometry,
});

/** A figure's content as GeoJSON FeatureCollections, one a source. */
export function figureSources(c: FigureContent): Record<'site' | 'overlaps' | 'outside' | 'trimmed', GeoJSON.FeatureCollection> {
  return {
    site: { type: 'FeatureCollection', features: [asFeature(c.site)] },
    overlaps: { type: 'FeatureCollection', features: c.overlaps.map((o) => asFeature(o.geometry, { layerId: o.layerId })) },
    outside: { type: 'FeatureCollection', features: c.outside ? [asFeature(c.outside)] : [] },
    trimmed: { type: 'FeatureCollection', features: c.trimmed ? [asFeature(c.trimmed)] : [] },
  };
}

/** The main figure: everything the site touches. */
export function mainFigure(report: Report): FigureContent {
  return {
    site: report.site.geometry,
    overlaps: report.layers.filter((l) => l.intersection && l.layerId !== BOUNDARY_RULE).map((l) => ({ layerId: l.layerId as LayerId, geometry: l.intersection! })),
    outside: report.layers.find((l) => l.outsideGeometry)?.outsideGeometry ?? null,
    trimmed: null,
  };
}

/** One figure a layer the site touches. */
export function layerFigure(report: Report, l: LayerOverlap): FigureContent {
  return {
    site: report.site.geometry,
    overlaps: l.intersection ? [{ layerId: l.layerId as LayerId, geometry: l.intersection }] : [],
    outside: l.outsideGeometry ?? null,
    trimmed: null,
  };
}

/** The trimmed (compliant) part of the site. */
export function trimmedFigure(report: Report): FigureContent {
  return { site: report.site.geometry, overlaps: [], outside: null, trimmed: report.trimmed.geometry };
}
