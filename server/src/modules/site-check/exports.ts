/**
 * Exports of a filed site-check report (选址套核报告导出):
 *
 * - `GET /api/site-checks/:id/export.xlsx` — Excel workbook: 概要 (summary, the stock-first step and verdicts),
 *   叠加分析 (one row a layer), 涉及图斑 (one row a hit feature), 来源 (the site's provenance);
 * - `GET /api/site-checks/:id/export.geojson` — the site, each layer's intersection, the part
 *   outside the urban development boundary and the trimmed (compliant) site;
 * - `GET /api/site-checks/:id/export.zip` — the same as zipped Shapefiles, one a kind, with a
 *   CGCS2000 .prj and a UTF-8 .cpg, and the provenance in 说明.txt;
 * - `GET /api/site-checks/:id/boundary-points.txt` — the site as a 界址点坐标文件 in a chosen
 *   Gauss–Krüger zone, GBK by default, on the datum it truly has (boundary-points-export.ts).
 *
 * Everything is built from the saved (immutable) report, so an export always says what the
 * report says. The report keeps the analysed geometry only as figures: with a buffer the
 * intersections refer to the widened site while the exported site is the one drawn.
 */
import { ROLES, atLeast } from '../../../../core/access.ts';
import { beijingTime as beijingTimeOf } from '../../../../core/beijing-time.ts';
import { CGCS2000_PRJ } from '../../formats/writers/shapefile.ts';
import { STATUS_LABEL } from '../../../../core/rules.ts';
import { TRIMMED_LAYERS_ZH } from '../../../../core/layers.ts';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import ExcelJS from 'exceljs';
import { contentDisposition } from '../../http/download.ts';
import JSZip from 'jszip';
import { ErrorResponse } from '../../../../core/contracts/common.ts';
import { BoundaryPointsTable, SiteCheckReport } from '../../../../core/contracts/site-check.ts';
import { getLayer } from '../../../../core/layers.ts';
import { centralMeridian, zoneOf, type ZoneWidth } from '../../../../core/gauss-kruger.ts';
import { encodeBoundaryPoints, isValidZone } from '../../formats/writers/boundary-points.ts';
import { provenanceRows, DATUM_APPROXIMATE, sourceZone } from '../../../../core/provenance.ts';
import { boundaryPointRows, boundaryPointsFile, sitePlane, type ZoneChoice } from './boundary-points-export.ts';
import type { AreaUnits } from '../../../../core/units.ts';
import { AppError } from '../../plugins/errors.ts';
import { radiusText } from '../../../../core/stock-first.ts';
import { isReportId, readFiledReport } from './service.ts';
import { writeShapefile, type DbfColumn } from '../../formats/writers/shapefile.ts';

type Report = SiteCheckReport;
type Geo = { type: string; coordinates: unknown[] };


/** Verdict statuses as the report prints them. */
export const STATUS_ZH: Record<Report['verdicts'][number]['status'], string> = {
  pass: STATUS_LABEL.pass.zh,
  warn: STATUS_LABEL.warn.zh,
  conflict: STATUS_LABEL.conflict.zh,
};

/**
 * The kinds of geometry an export holds, in order, with their Chinese names and Shapefile
 * names. `site.shp` sorts first, so an importer that takes a zip's first polygon layer (ours
 * does) reads the site back.
 */
export const EXPORT_KINDS = {
  site: { zh: '选址范围', file: 'site' },
  intersection: { zh: '叠加部分', file: 'site_intersection' },
  'outside-boundary': { zh: '城镇开发边界外部分', file: 'site_outside_boundary' },
  trimmed: { zh: `合规范围（扣除${TRIMMED_LAYERS_ZH}）`, file: 'site_trimmed' },
} as const;
export type ExportKind = keyof typeof EXPORT_KINDS;


// ---------------------------------------------------------------------------------------------
// Loading and naming

/** The filed report, or a 400 (malformed id) / 404 (no such report) AppError. */
/**
 * A project name fit for a file name: no path or reserved characters, at most 60 characters.
 *
 * @example safeFileName('A/B: 厂区*一期') // 'A_B_ 厂区_一期'
 */
export function safeFileName(name: string | null): string {
  return Array.from((name ?? '').replace(/[\\/:*?"<>|\u0000-\u001f\u007f]/g, '_').replace(/\s+/g, ' ').trim())
    .slice(0, 60)
    .join('');
}

/**
 * The download name of an export: `选址套核-<name>-<id8><suffix>`, without the name when the
 * report has none.
 *
 * @example exportFileName({ name: '某项目', id: '0123abcd-…' }, '.xlsx') // '选址套核-某项目-0123abcd.xlsx'
 */
export function exportFileName(report: Pick<Report, 'name' | 'id'>, suffix: string): string {
  const name = safeFileName(report.name);
  return `选址套核-${name ? `${name}-` : ''}${report.id.slice(0, 8)}${suffix}`;
}

/** Sends a file download named `选址套核-<name>-<id8><suffix>` (ASCII fallback `site-check-<id8><asciiSuffix>`). */
function sendFile(reply: FastifyReply, report: Report, suffix: string, asciiSuffix: string, contentType: string, body: Buffer | string) {
  return reply
    .header('content-type', contentType)
    .header('content-disposition', contentDisposition(exportFileName(report, suffix), `site-check-${report.id.slice(0, 8)}${asciiSuffix}`))
    .header('cache-control', 'private, max-age=3600')
    .send(body);
}

/**
 * An ISO instant as Beijing time, "2026-11-22 11:58:01" (UTC+8, no daylight saving).
 *
 * @example beijingTime('2026-11-22T03:58:01.000Z') // '2026-11-22 11:58:01'
 */
export function beijingTime(iso: string): string {
  return beijingTimeOf(iso);
}

// ---------------------------------------------------------------------------------------------
// GeoJSON

export interface ExportFeature {
  type: 'Feature';
  geometry: Geo;
  properties: {
    kind: ExportKind;
    kind_zh: string;
    layer: string | null;
    layer_zh: string | null;
    count: number | null;
    area_m2: number;
    area_ha: number;
    area_mu: number;
    /** Share of the analysed area, 0–1. */
    share: number;
    report_id: string;
  };
}

const hasArea = (g: Geo | null | undefined): g is Geo =>
  !!g && (g.type === 'Polygon' || g.type === 'MultiPolygon') && Array.isArray(g.coordinates) && g.coordinates.length > 0;

/** One export feature of a kind. */
function exportFeature(report: Report, kind: ExportKind, geometry: Geo, area: AreaUnits, layer: Report['layers'][number] | null, share: number): ExportFeature {
  return {
    type: 'Feature',
    geometry,
    properties: {
      kind,
      kind_zh: EXPORT_KINDS[kind].zh,
      layer: layer?.layerId ?? null,
      layer_zh: layer?.nameZh ?? null,
      count: layer ? layer.count : null,
      area_m2: area.m2,
      area_ha: area.ha,
      area_mu: area.mu,
      share,
      report_id: report.id,
    },
  };
}

/** The report's geometries as features: site, intersections, outside-boundary part, trimmed site. */
export function reportFeatures(report: Report): ExportFeature[] {
  const analysed = report.site.analysedArea.m2;
  const share = (m2: number) => (analysed > 0 ? m2 / analysed : 0);
  const out: ExportFeature[] = [exportFeature(report, 'site', report.site.geometry, report.site.area, null, share(report.site.area.m2))];
  for (const l of report.layers) {
    if (hasArea(l.intersection)) out.push(exportFeature(report, 'intersection', l.intersection, l.area, l, l.shareOfSite));
  }
  for (const l of report.layers) {
    if (hasArea(l.outsideGeometry) && l.outside) out.push(exportFeature(report, 'outside-boundary', l.outsideGeometry, l.outside, l, share(l.outside.m2)));
  }
  if (hasArea(report.trimmed.geometry)) out.push(exportFeature(report, 'trimmed', report.trimmed.geometry, report.trimmed.area, null, share(report.trimmed.area.m2)));
  return out;
}

/**
 * The GeoJSON export: a FeatureCollection in EPSG:4490 (named in the legacy `crs` member, which
 * GDAL reads), with the report's identity and the site's provenance as foreign members.
 */
export function reportGeoJson(report: Report) {
  return {
    type: 'FeatureCollection' as const,
    name: exportFileName(report, ''),
    crs: { type: 'name', properties: { name: 'urn:ogc:def:crs:EPSG::4490' } },
    report: { id: report.id, name: report.name, use: report.use, createdAt: report.createdAt, dataVersion: report.dataVersion, contentHash: report.contentHash },
    provenance: report.provenance ?? null,
    features: reportFeatures(report),
  };
}

/** The provenance as lines of text (说明.txt), Chinese then English; a report without one says so. */
export function provenanceText(report: Report): string[] {
  const p = report.provenance;
  if (!p) return ['来源：未记录（套核请求未附来源信息）', 'Provenance: not recorded (the check was filed without one)'];
  const line = (r: { label: string; value: string; alert?: boolean }) => `${r.alert ? '【！】' : ''}${r.label}：${r.value}`;
  const lineEn = (r: { label: string; value: string; alert?: boolean }) => `${r.alert ? '[!] ' : ''}${r.label}: ${r.value}`;
  return ['来源：', ...provenanceRows(p, 'zh').map((r) => `  ${line(r)}`), 'Provenance:', ...provenanceRows(p, 'en').map((r) => `  ${lineEn(r)}`)];
}

// ---------------------------------------------------------------------------------------------
// Shapefile

/** A column of the report's attribute table. */
export type DbfField = DbfColumn<ExportFeature>;

/** The attribute table of the Shapefile export (the GeoJSON properties, renamed to ≤ 10 characters). */
export const SHAPE_FIELDS: DbfField[] = [
  { name: 'KIND', type: 'C', length: 16, decimals: 0, value: (f) => f.properties.kind },
  { name: 'KIND_ZH', type: 'C', length: 0, decimals: 0, value: (f) => f.properties.kind_zh },
  { name: 'LAYER', type: 'C', length: 20, decimals: 0, value: (f) => f.properties.layer },
  { name: 'LAYER_ZH', type: 'C', length: 0, decimals: 0, value: (f) => f.properties.layer_zh },
  { name: 'COUNT', type: 'N', length: 9, decimals: 0, value: (f) => f.properties.count },
  { name: 'AREA_M2', type: 'N', length: 19, decimals: 3, value: (f) => f.properties.area_m2 },
  { name: 'AREA_HA', type: 'N', length: 19, decimals: 6, value: (f) => f.properties.area_ha },
  { name: 'AREA_MU', type: 'N', length: 19, decimals: 4, value: (f) => f.properties.area_mu },
  { name: 'SHARE', type: 'N', length: 12, decimals: 8, value: (f) => f.properties.share },
  { name: 'REPORT_ID', type: 'C', length: 36, decimals: 0, value: (f) => f.properties.report_id },
];

/**
 * The Shapefile export: one shapefile a kind present, each with .shp/.shx/.dbf/.prj/.cpg, and a
 * 说明 file with the provenance. Attributes in UTF-8 (default) or GBK (code page 936, .cpg "GBK").
 */
export async function reportShapefileZip(report: Report, encoding: 'utf-8' | 'gbk' = 'utf-8'): Promise<Buffer> {
  const zip = new JSZip();
  const date = new Date(report.createdAt);
  const features = reportFeatures(report);
  const written: string[] = [];
  for (const kind of Object.keys(EXPORT_KINDS) as ExportKind[]) {
    const of = features.filter((f) => f.properties.kind === kind);
    if (of.length === 0) continue;
    const base = EXPORT_KINDS[kind].file;
    const { shp, shx, dbf } = writeShapefile(of.map((f) => ({ geometry: f.geometry, row: f })), SHAPE_FIELDS, date, encoding);
    zip.file(`${base}.shp`, shp, { date, binary: true });
    zip.file(`${base}.shx`, shx, { date, binary: true });
    zip.file(`${base}.dbf`, dbf, { date, binary: true });
    zip.file(`${base}.prj`, CGCS2000_PRJ, { date });
    zip.file(`${base}.cpg`, encoding === 'gbk' ? 'GBK' : 'UTF-8', { date });
    written.push(`${base}.shp\t${EXPORT_KINDS[kind].zh}（${of.length} 个要素）`);
  }
  const readme = [
    '建设项目选址套核报告 — Shapefile 导出',
    `报告编号：${report.id}`,
    `项目名称：${report.name ?? '（未填写）'}`,
    `套核时间：${beijingTime(report.createdAt)}（北京时间）`,
    `数据版本：${report.dataVersion}`,
    `内容校验码（SHA-256）：${report.contentHash}`,
    `坐标系：CGCS2000 经纬度（EPSG:4490）；属性表编码 ${encoding === 'gbk' ? 'GBK（代码页 936）' : 'UTF-8'}（见 .cpg）；面积为 CGCS2000 椭球面积。`,
    ...provenanceText(report),
    '字段：KIND 类型，KIND_ZH 类型名称，LAYER 图层，LAYER_ZH 图层名称，COUNT 图斑数，AREA_M2 面积（平方米），AREA_HA 面积（公顷），AREA_MU 面积（亩），SHARE 占分析范围比例，REPORT_ID 报告编号。',
    '',
    ...written,
  ];
  zip.file('说明.txt', '\ufeff' + readme.join('\r\n') + '\r\n', { date });
  return zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE', platform: 'DOS' });
}

// ---------------------------------------------------------------------------------------------
// Excel

const FMT = { m2: '#,##0.00', ha: '0.0000', mu: '#,##0.00', share: '0.00%' } as const;

/** Styles a header row: bold on grey, borders, wrapped. */
function headerRow(row: ExcelJS.Row) {
  row.font = { bold: true };
  row.alignment = { vertical: 'middle', wrapText: true };
  row.eachCell((c) => {
    c.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFE9ECEF' } };
    c.border = { bottom: { style: 'thin' } };
  });
}

/** Landscape A4, one page wide. */
const PAGE: Partial<ExcelJS.PageSetup> = { paperSize: 9, orientation: 'landscape', fitToPage: true, fitToWidth: 1, fitToHeight: 0 };

/** Sheet 概要: the report's identity, areas and verdicts. */
function summarySheet(wb: ExcelJS.Workbook, report: Report) {
  const ws = wb.addWorksheet('概要', { pageSetup: PAGE });
  ws.columns = [{ width: 26 }, { width: 44 }, { width: 60 }, { width: 80 }, { width: 14 }];
  ws.mergeCells('A1:D1');
  const title = ws.getCell('A1');
  title.value = '建设项目选址套核报告';
  title.font = { bold: true, size: 16 };
  ws.addRow([]);
  const kv = (label: string, value: string | number, fmt?: string) => {
    const row = ws.addRow([label, value]);
    row.getCell(1).font = { bold: true };
    if (fmt) row.getCell(2).numFmt = fmt;
    row.getCell(2).alignment = { horizontal: 'left' };
  };
  const areas = (label: string, a: AreaUnits) => {
    kv(`${label}（平方米）`, a.m2, FMT.m2);
    kv(`${label}（公顷）`, a.ha, FMT.ha);
    kv(`${label}（亩）`, a.mu, FMT.mu);
  };
  kv('报告编号', report.id);
  kv('项目名称', report.name ?? '（未填写）');
  kv('规划用途', report.use ?? '（未填写）');
  kv('套核时间', `${beijingTime(report.createdAt)}（北京时间）`);
  kv('数据版本', report.dataVersion);
  kv('内容校验码（SHA-256）', report.contentHash);
  areas('选址面积', report.site.area);
  if (report.bufferMeters > 0) {
    kv('外扩分析距离（米）', report.bufferMeters);
    areas('分析范围面积', report.site.analysedArea);
  }
  areas('合规范围面积', report.trimmed.area);
  areas('扣除面积', report.trimmed.lost);
  if (report.site.repairNoteZh) kv('几何修复说明', report.site.repairNoteZh);
  kv('面积说明', '面积均为 CGCS2000 椭球面积；1 公顷 = 10 000 平方米 = 15 亩');
  ws.addRow([]);
  stockFirstRows(ws, report, kv);
  ws.addRow([]);
  headerRow(ws.addRow(['规则', '结论', '说明', '规则依据']));
  for (const v of report.verdicts) {
    const row = ws.addRow([v.titleZh, STATUS_ZH[v.status], v.messageZh, v.ruleTextZh]);
    row.alignment = { vertical: 'top', wrapText: true };
    const color = v.status === 'conflict' ? 'FFC92A2A' : v.status === 'warn' ? 'FFE8590C' : 'FF2B8A3E';
    row.getCell(2).font = { bold: true, color: { argb: color } };
  }
}

/** The kind of a stock-land offer as the report prints it. */
export const OFFER_KIND_ZH = { single: '单宗地块', combination: '组合供应' } as const;

/**
 * 存量优先套核 on the summary sheet, before the verdicts: what the stock-land match found,
 * its candidates (one row each: rank and kind, parcels, total 亩, score, distance), and the
 * reason recorded for going on to new land.
 */
function stockFirstRows(ws: ExcelJS.Worksheet, report: Report, kv: (label: string, value: string | number, fmt?: string) => void) {
  const sf = report.stockFirst;
  if (!sf.checked) {
    kv('存量优先套核', sf.noteZh);
    return;
  }
  kv('存量优先套核', sf.summaryZh);
  kv('套核用途', sf.use);
  kv('套核需求面积（亩）', sf.need.mu, FMT.mu);
  if (sf.candidates.length === 0) kv('存量候选方案', sf.radiusKm ? `在选址 ${radiusText(sf.radiusKm, 'zh')}内未找到符合条件的存量地块` : '未找到符合条件的存量地块');
  else {
    headerRow(ws.addRow(['存量候选方案', '地块（编号 名称，用途，面积）', '合计面积（亩）', '评分', '距选址（米）']));
    for (const c of sf.candidates) {
      const parcels = c.parcels.map((p) => `${p.code} ${p.name}（${p.plannedUse}，${p.area.mu.toFixed(2)} 亩）`).join('\n');
      const row = ws.addRow([`第 ${c.rank} 名 · ${OFFER_KIND_ZH[c.kind]}`, parcels, c.totalArea.mu, c.score, c.distanceM === null ? '—' : Math.round(c.distanceM)]);
      row.alignment = { vertical: 'top', wrapText: true };
      row.getCell(3).numFmt = FMT.mu;
      row.getCell(4).numFmt = '0.00';
    }
  }
  kv('继续新增用地理由', sf.reason.labelZh);
  if (sf.reason.note) kv('理由说明', sf.reason.note);
}

/** Sheet 叠加分析: one row a layer. */
function overlaySheet(wb: ExcelJS.Workbook, report: Report) {
  const ws = wb.addWorksheet('叠加分析', { pageSetup: PAGE, views: [{ state: 'frozen', ySplit: 1 }] });
  const cols: { header: string; width: number; fmt?: string }[] = [
    { header: '图层', width: 20 },
    { header: '是否涉及', width: 10 },
    { header: '图斑数', width: 8 },
    { header: '面积（平方米）', width: 16, fmt: FMT.m2 },
    { header: '面积（公顷）', width: 14, fmt: FMT.ha },
    { header: '面积（亩）', width: 14, fmt: FMT.mu },
    { header: '占比', width: 10, fmt: FMT.share },
    { header: '边界内（平方米）', width: 16, fmt: FMT.m2 },
    { header: '边界内（公顷）', width: 14, fmt: FMT.ha },
    { header: '边界内（亩）', width: 14, fmt: FMT.mu },
    { header: '边界外（平方米）', width: 16, fmt: FMT.m2 },
    { header: '边界外（公顷）', width: 14, fmt: FMT.ha },
    { header: '边界外（亩）', width: 14, fmt: FMT.mu },
  ];
  ws.columns = cols.map((c) => ({ width: c.width }));
  headerRow(ws.addRow(cols.map((c) => c.header)));
  for (const l of report.layers) {
    const split = l.inside && l.outside ? [l.inside.m2, l.inside.ha, l.inside.mu, l.outside.m2, l.outside.ha, l.outside.mu] : [];
    const row = ws.addRow([l.nameZh, l.intersects ? '是' : '否', l.count, l.area.m2, l.area.ha, l.area.mu, l.shareOfSite, ...split]);
    cols.forEach((c, i) => c.fmt && (row.getCell(i + 1).numFmt = c.fmt));
  }
}

/** Sheet 涉及图斑: one row a feature the site overlaps, with its attributes under their registry labels. */
function featureSheet(wb: ExcelJS.Workbook, report: Report) {
  const ws = wb.addWorksheet('涉及图斑', { pageSetup: PAGE, views: [{ state: 'frozen', ySplit: 1 }] });
  const attrNames: string[] = [];
  for (const l of report.layers) for (const f of l.features) for (const k of Object.keys(f.attributes)) if (!attrNames.includes(k)) attrNames.push(k);
  const label = (name: string) => {
    for (const l of report.layers) {
      const a = getLayer(l.layerId)?.attributes.find((x) => x.name === name);
      if (a) return a.labelZh;
    }
    return name;
  };
  const headers = ['图层', '图斑编号', ...attrNames.map(label), '重叠面积（平方米）', '重叠面积（公顷）', '重叠面积（亩）'];
  ws.columns = headers.map((h, i) => ({ width: i < 2 ? 20 : Math.max(12, h.length * 2 + 2) }));
  headerRow(ws.addRow(headers));
  const n = 2 + attrNames.length;
  for (const l of report.layers) {
    for (const f of l.features) {
      const row = ws.addRow([l.nameZh, f.code, ...attrNames.map((a) => f.attributes[a] ?? ''), f.overlapArea.m2, f.overlapArea.ha, f.overlapArea.mu]);
      row.getCell(n + 1).numFmt = FMT.m2;
      row.getCell(n + 2).numFmt = FMT.ha;
      row.getCell(n + 3).numFmt = FMT.mu;
    }
  }
}

/**
 * Sheet 来源: where the site came from — file, format, detected and confirmed coordinate system,
 * zone, axis order, encoding, datum and its transform, overrides, every accepted warning (an
 * approximate placement in red), and the source coordinates (one row a vertex when kept).
 */
function provenanceSheet(wb: ExcelJS.Workbook, report: Report) {
  const ws = wb.addWorksheet('来源', { pageSetup: PAGE });
  ws.columns = [{ width: 22 }, { width: 90 }, { width: 18 }, { width: 18 }];
  const p = report.provenance;
  headerRow(ws.addRow(['项目', '内容']));
  if (!p) {
    ws.addRow(['来源', '未记录（套核请求未附来源信息）']);
    return;
  }
  for (const r of provenanceRows(p, 'zh')) {
    const row = ws.addRow([r.label, r.value]);
    row.getCell(1).font = { bold: true };
    row.alignment = { vertical: 'top', wrapText: true };
    if (r.alert) row.getCell(2).font = { bold: true, color: { argb: 'FFC92A2A' } };
  }
  if (p.warnings.some((w) => w.code === DATUM_APPROXIMATE)) ws.getCell('A1').note = '红字：规划人员确认接受的近似位置';
  if (p.source) {
    ws.addRow([]);
    headerRow(ws.addRow(['原始坐标（' + p.source.crs + '）', '多边形/环/点', '东坐标 Y', '北坐标 X']));
    p.source.geometries.forEach((g, fi) => {
      if (!g) return;
      const polys = g.type === 'Polygon' ? [g.coordinates] : g.coordinates;
      polys.forEach((poly, pi) =>
        poly.forEach((ring, ri) =>
          ring.forEach((pos, k) => {
            const row = ws.addRow([`要素 ${fi + 1}`, `${pi + 1}/${ri + 1}/${k + 1}`, pos[0], pos[1]]);
            row.getCell(3).numFmt = '0.000';
            row.getCell(4).numFmt = '0.000';
          }),
        ),
      );
    });
  }
}

/** The Excel export of a report. */
export async function reportWorkbook(report: Report): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = '一张图 Yizhangtu';
  wb.title = `建设项目选址套核报告 ${report.name ?? ''}`.trim();
  wb.created = new Date(report.createdAt);
  wb.modified = wb.created;
  summarySheet(wb, report);
  overlaySheet(wb, report);
  featureSheet(wb, report);
  provenanceSheet(wb, report);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

// ---------------------------------------------------------------------------------------------
// 界址点坐标文件

/** Longitudes of a geometry's vertices, min and max. */
function lonRange(g: Geo): [number, number] {
  let min = Infinity;
  let max = -Infinity;
  const walk = (c: unknown): void => {
    if (Array.isArray(c) && typeof c[0] === 'number') {
      min = Math.min(min, c[0]);
      max = Math.max(max, c[0]);
    } else if (Array.isArray(c)) c.forEach(walk);
  };
  walk(g.coordinates);
  return [min, max];
}

/**
 * Checks a zone for a site: it must exist (3° zones 25–45, 6° zones 13–23), and the site must
 * lie in it or a neighbouring zone (beyond, plane distances and areas are badly distorted).
 */
function checkZone(zone: number, zoneWidth: ZoneWidth, site: Geo | null) {
  if (!isValidZone(zone, zoneWidth)) {
    const range = zoneWidth === 3 ? '25–45' : '13–23';
    throw new AppError(400, 'INVALID_ZONE', `带号 ${zone} 无效：${zoneWidth} 度带的带号为 ${range}`, `Zone ${zone} is not valid: ${zoneWidth}° zones are ${range}`);
  }
  if (!site) return;
  const cm = centralMeridian(zone, zoneWidth);
  const [min, max] = lonRange(site);
  const reach = 1.5 * zoneWidth;
  if (min < cm - reach || max > cm + reach) {
    throw new AppError(
      400,
      'ZONE_TOO_FAR',
      `选址（经度 ${min.toFixed(3)}°–${max.toFixed(3)}°）不在第 ${zone} 带（中央经线 ${cm}°）或其相邻带内，投影变形过大；开封位于 3 度带第 38 带`,
      `The site (longitude ${min.toFixed(3)}°–${max.toFixed(3)}°) is neither in zone ${zone} (central meridian ${cm}°) nor next to it; Kaifeng lies in 3° zone 38`,
    );
  }
}

const ZipQuery = z.object({
  encoding: z.enum(['utf-8', 'gbk'], { error: '属性表编码须为 utf-8 或 gbk' }).default('utf-8').meta({ description: '属性表编码，默认 UTF-8' }),
});

const BoundaryPointsQuery = z.object({
  zone: z.coerce.number({ error: '带号须为整数' }).int('带号须为整数').optional().meta({ description: '带号；默认为选址中心所在的带（开封：3 度带 38）', example: 38 }),
  zoneWidth: z.enum(['3', '6'], { error: '分带宽度须为 3 或 6（几度分带）' }).default('3').meta({ description: '几度分带：3 或 6' }),
  prefix: z.enum(['true', 'false', '1', '0'], { error: '带号前缀须为 true 或 false' }).default('true').meta({ description: 'Y 坐标是否带带号前缀（38 512 034.220）' }),
  encoding: z.enum(['gbk', 'utf-8'], { error: '文件编码须为 gbk 或 utf-8' }).default('gbk').meta({ description: '文件编码，默认 GBK' }),
  datum: z
    .enum(['source', 'cgcs2000'], { error: '导出的坐标系只能是原坐标系（source）或 2000 国家大地坐标系（cgcs2000）' })
    .default('source')
    .meta({ description: 'source：选址来自 1954 北京/1980 西安坐标系文件时按原坐标系导出（默认）；cgcs2000：导出 2000 国家大地坐标（近似放置的选址没有）' }),
});

/** The filed report and the zone its 界址点 are asked for in: the zone given, else the zone of the file the site came from, else the zone the site lies in. */
async function reportAndZoneOf(
  db: Parameters<typeof readFiledReport>[0],
  id: string,
  query: { zone?: number; zoneWidth: '3' | '6'; prefix: string },
): Promise<{ report: SiteCheckReport; choice: ZoneChoice }> {
  if (!isReportId(id)) throw new AppError(400, 'INVALID_ID', `报告编号格式不正确：“${id.slice(0, 40)}”`, `Malformed report id: "${id.slice(0, 40)}"`);
  const zoneWidth = Number(query.zoneWidth) as ZoneWidth;
  if (query.zone !== undefined) checkZone(query.zone, zoneWidth, null);
  const report = await readFiledReport(db, id);
  const site = report.site.geometry;
  const [min, max] = lonRange(site);
  // by default the zone of the file the site came from, else the zone the site lies in
  const source = report.provenance?.source ? sourceZone(report.provenance.source, report.provenance.confirmed ?? {}) : undefined;
  const zone = query.zone ?? (source && source.zoneWidth === zoneWidth ? source.zone : zoneOf((min + max) / 2, zoneWidth));
  checkZone(zone, zoneWidth, site);
  const zonePrefix = query.prefix === 'true' || query.prefix === '1';
  return { report, choice: { zone, zoneWidth, zonePrefix } };
}

const BoundaryPointsTableQuery = BoundaryPointsQuery.omit({ encoding: true }).extend({
  limit: z.coerce.number({ error: '点数上限须为整数' }).int('点数上限须为整数').min(0, '点数上限不能为负').max(100_000, '点数上限至多 100000').optional().meta({ description: '最多返回的点数（pointCount 为全部点数）；默认全部' }),
});

// ---------------------------------------------------------------------------------------------
// Routes

const Params = z.object({ id: z.string().meta({ description: '报告编号（UUID）' }) });
const errors = { 400: ErrorResponse, 404: ErrorResponse };

const exportRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/api/site-checks/:id/export.xlsx',
    {
      config: { access: atLeast('planner') },
      schema: {
        summary: '导出 Excel Site check as Excel',
        description: '选址套核报告的 Excel 工作簿：概要（项目、面积、规则结论）、叠加分析（逐图层）、涉及图斑（逐图斑）、来源（原始文件、识别与采用的坐标系、已接受的提示、原始坐标）。面积为 CGCS2000 椭球面积，单位平方米、公顷、亩。',
        tags: ['site-check'],
        params: Params,
        response: errors,
      },
    },
    async (req, reply) => {
      const report = await readFiledReport(req.reader, req.params.id);
      return sendFile(reply, report, '.xlsx', '.xlsx', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', await reportWorkbook(report));
    },
  );

  app.get(
    '/api/site-checks/:id/export.geojson',
    {
      config: { access: atLeast('planner') },
      schema: {
        summary: '导出 GeoJSON Site check as GeoJSON',
        description: 'FeatureCollection（EPSG:4490，crs 成员注明）：另有 report（报告标识）与 provenance（来源）成员；选址范围、各图层叠加部分、城镇开发边界外部分、合规范围；属性 kind、layer、面积（平方米、公顷、亩）与占比。',
        tags: ['site-check'],
        params: Params,
        response: errors,
      },
    },
    async (req, reply) => {
      const report = await readFiledReport(req.reader, req.params.id);
      return sendFile(reply, report, '.geojson', '.geojson', 'application/geo+json; charset=utf-8', JSON.stringify(reportGeoJson(report)));
    },
  );

  app.get(
    '/api/site-checks/:id/export.zip',
    {
      config: { access: atLeast('planner') },
      schema: {
        summary: '导出 Shapefile Site check as zipped Shapefiles',
        description:
          'ZIP 内每类几何一个 Shapefile（site 选址范围、site_intersection 叠加部分、site_outside_boundary 城镇开发边界外部分、site_trimmed 合规范围），含 .prj（CGCS2000，EPSG:4490）与 .cpg（默认 UTF-8；encoding=gbk 时属性表为 GBK，.cpg 为 GBK），说明.txt 含选址来源。',
        tags: ['site-check'],
        params: Params,
        querystring: ZipQuery,
        response: errors,
      },
    },
    async (req, reply) => {
      const report = await readFiledReport(req.reader, req.params.id);
      return sendFile(reply, report, '.zip', '.zip', 'application/zip', await reportShapefileZip(report, req.query.encoding));
    },
  );

  app.get(
    '/api/site-checks/:id/boundary-points.txt',
    {
      config: { access: ROLES },
      schema: {
        summary: '导出界址点坐标文件 Site as a boundary-point file',
        description:
          '选址范围的界址点坐标文件（高斯-克吕格投影，X 为北坐标、Y 为东坐标，精度 0.001 米）；地块头行面积为该带的平面面积（公顷）。默认 GBK 编码。' +
          '选址来自投影坐标文件且所选带号、前缀与原文件相同时，坐标即原文件坐标；否则由全精度选址换算。坐标系按实际填写：来自 1954 北京/1980 西安坐标系文件的选址默认按原坐标系导出（近似放置的另注“位置说明”），坐标系无法识别而近似放置的选址以原文件的坐标系名称填写，只能导出原文件的分带；近似放置的选址不能导出 2000 国家大地坐标（datum=cgcs2000 返回 422）；其余为 2000 国家大地坐标系。来源信息未经服务器核验的报告另注“来源说明”。响应头 x-coordinates-from 说明坐标来源（source、source-datum、placement、local-ellipsoid、cgcs2000）。',
        tags: ['site-check'],
        params: Params,
        querystring: BoundaryPointsQuery,
        response: errors,
      },
    },
    async (req, reply) => {
      const { report, choice } = await reportAndZoneOf(req.reader, req.params.id, req.query);
      const plane = sitePlane(report, choice, req.query.datum);
      const text = boundaryPointsFile(plane, choice, { code: '1', name: report.name ?? `选址套核 ${report.id.slice(0, 8)}`, use: report.use });
      reply.header('x-coordinates-from', plane.from);
      const charset = req.query.encoding === 'gbk' ? 'GBK' : 'utf-8';
      const bytes = Buffer.from(encodeBoundaryPoints(text, req.query.encoding));
      return sendFile(reply, report, `-界址点-${choice.zoneWidth}度带${choice.zone}.txt`, `-boundary-points-${choice.zoneWidth}deg-zone${choice.zone}.txt`, `text/plain; charset=${charset}`, bytes);
    },
  );

  app.get(
    '/api/site-checks/:id/boundary-points.json',
    {
      config: { access: ROLES },
      schema: {
        summary: '界址点坐标表 Site boundary points as a table',
        description:
          '与界址点坐标文件（boundary-points.txt）同一套坐标、点号和圈号的 JSON 表（X 为北坐标、Y 为东坐标，米，未取整），供报告的界址点坐标表使用；参数同 boundary-points.txt（无 encoding），limit 限制返回的点数。',
        tags: ['site-check'],
        params: Params,
        querystring: BoundaryPointsTableQuery,
        response: { 200: BoundaryPointsTable, 400: ErrorResponse, 404: ErrorResponse, 422: ErrorResponse },
      },
    },
    async (req) => {
      const { report, choice } = await reportAndZoneOf(req.reader, req.params.id, req.query);
      const plane = sitePlane(report, choice, req.query.datum);
      const { points, areaHa } = boundaryPointRows(plane);
      return {
        zone: choice.zone,
        zoneWidth: choice.zoneWidth,
        zonePrefix: choice.zonePrefix,
        datumName: plane.datumName,
        approximate: plane.approximate,
        unverified: plane.unverified === true,
        from: plane.from,
        areaHa,
        pointCount: points.length,
        points: req.query.limit === undefined ? points : points.slice(0, req.query.limit),
      };
    },
  );
};

export default exportRoutes;
