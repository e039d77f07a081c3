/**
 * Exports of a filed site-check report: the Excel workbook opens and its figures are the
 * report's, the GeoJSON holds the site and the intersections with the report's areas, the
 * zip holds a CGCS2000 Shapefile per kind, the 界址点 file reads back to the site within
 * 1 mm with the plane area in its header, and bad input is a 400/404, never a 500.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import ExcelJS from 'exceljs';
import JSZip from 'jszip';
import * as shapefile from 'shapefile';
import { SiteCheckReport } from '../../core/contracts/site-check.ts';
import { lonLatToGaussKruger, type ZoneWidth } from '../../core/gauss-kruger.ts';
import { roundTo } from '../../core/units.ts';
import { parseSiteFile } from '../../server/src/formats/parsers/index.ts';
import { startApi } from '../helpers/api.ts';
import { backend } from '../helpers/backend.ts';

const FIXTURES = new URL('../fixtures/site-check/in/', import.meta.url);
const fixture = (name: string) => JSON.parse(readFileSync(new URL(`${name}.geojson`, FIXTURES), 'utf8')).geometry as object;

// ---- a tiny 界址点坐标文件 reader, independent of the writer --------------------------------

interface ReadParcel {
  count: number;
  areaHa: number;
  fields: string[];
  /** ring number → points [northing, easting] with their names */
  rings: Map<number, { name: string; n: number; e: number }[]>;
}

function readBoundaryFile(text: string): { attrs: Record<string, string>; parcels: ReadParcel[]; lines: string[] } {
  const lines = text.split('\r\n');
  const attrs: Record<string, string> = {};
  const parcels: ReadParcel[] = [];
  let section = '';
  for (const line of lines) {
    if (!line) continue;
    const s = /^\[(.+)\]$/.exec(line);
    if (s) {
      section = s[1]!;
      continue;
    }
    if (section === '属性描述') {
      const [k, v] = line.split('=');
      attrs[k!] = v!;
    } else if (section === '地块坐标') {
      const f = line.split(',');
      if (f[f.length - 1] === '@') parcels.push({ count: Number(f[0]), areaHa: Number(f[1]), fields: f, rings: new Map() });
      else {
        const p = parcels[parcels.length - 1]!;
        const ring = Number(f[1]);
        const pts = p.rings.get(ring) ?? [];
        pts.push({ name: f[0]!, n: Number(f[2]), e: Number(f[3]) });
        p.rings.set(ring, pts);
      }
    }
  }
  return { attrs, parcels, lines };
}

/** Plane area of a ring (shoelace, shifted to its first point), absolute. */
function ringPlaneArea(pts: { n: number; e: number }[]): number {
  const [f] = pts;
  let s = 0;
  for (let i = 0; i < pts.length - 1; i++) s += (pts[i]!.e - f!.e) * (pts[i + 1]!.n - f!.n) - (pts[i + 1]!.e - f!.e) * (pts[i]!.n - f!.n);
  return Math.abs(s / 2);
}

type Geometry = { type: string; coordinates: unknown[] };
const polygonsOf = (g: Geometry) => (g.type === 'Polygon' ? [g.coordinates] : g.coordinates) as number[][][][];

/** Every site ring has a file ring holding exactly its vertices (open), each within 1 mm. */
function expectSameRings(site: Geometry, parcel: ReadParcel, zone: { zone: number; zoneWidth: ZoneWidth; zonePrefix: boolean }) {
  const siteRings = polygonsOf(site).flat();
  const fileRings = [...parcel.rings.values()];
  expect(fileRings).toHaveLength(siteRings.length);
  for (const ring of siteRings) {
    const projected = ring.slice(0, -1).map(([lon, lat]) => lonLatToGaussKruger(lon!, lat!, zone));
    const match = fileRings.find((fr) => fr.length === projected.length + 1 && projected.every((p) => fr.some((q) => Math.hypot(q.n - p.northing, q.e - p.easting) < 0.001)));
    expect(match, `ring starting ${ring[0]}`).toBeDefined();
    // closed: the last point repeats the first, name and all
    expect(match![match!.length - 1]).toEqual(match![0]);
  }
}

describe(`site-check exports on ${backend}`, () => {
  let app: FastifyInstance;
  let stop: () => Promise<void>;
  let farmland: SiteCheckReport;
  let holed: SiteCheckReport;

  beforeAll(async () => {
    ({ app, stop } = await startApi());
    const post = async (body: object) => {
      const res = await app.inject({ method: 'POST', url: '/api/site-checks', payload: body });
      expect(res.statusCode, res.body).toBe(201);
      return SiteCheckReport.parse(res.json());
    };
    farmland = await post({
      geometry: fixture('crossing-farmland'),
      name: '某工业项目（一期）',
      use: '工业',
      stockFirst: { reason: 'other', note: '需临近铁路专用线，\n图库中的地块均不具备' },
    });
    holed = await post({ geometry: fixture('multipolygon-with-hole'), name: '两块, 有洞', use: '仓储', stockFirst: { reason: 'area' } });
  });
  afterAll(async () => {
    await stop?.();
  });

  const get = (url: string, headers: Record<string, string> = {}) => app.inject({ method: 'GET', url, headers });

  it('exports Excel: sheets 概要, 叠加分析, 涉及图斑 whose figures are the report’s', async () => {
    const res = await get(`/api/site-checks/${farmland.id}/export.xlsx`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    const disposition = String(res.headers['content-disposition']);
    expect(disposition).toContain(`filename="site-check-${farmland.id.slice(0, 8)}.xlsx"`);
    expect(disposition).toContain(`filename*=UTF-8''${encodeURIComponent(`选址套核-某工业项目（一期）-${farmland.id.slice(0, 8)}.xlsx`)}`);

    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['概要', '叠加分析', '涉及图斑', '来源']);
    // filed without a provenance: the sheet says so
    expect(wb.getWorksheet('来源')!.getRow(2).values).toEqual([undefined, '来源', '未记录（套核请求未附来源信息）']);

    // 概要: label in column A, value in column B
    const summary = wb.getWorksheet('概要')!;
    expect(summary.getCell('A1').value).toBe('建设项目选址套核报告');
    const kv = new Map<string, unknown>();
    summary.eachRow((row) => kv.set(String(row.getCell(1).value), row.getCell(2).value));
    expect(kv.get('报告编号')).toBe(farmland.id);
    expect(kv.get('项目名称')).toBe('某工业项目（一期）');
    expect(kv.get('规划用途')).toBe('工业');
    expect(kv.get('数据版本')).toBe(farmland.dataVersion);
    expect(kv.get('内容校验码（SHA-256）')).toBe(farmland.contentHash);
    expect(String(kv.get('套核时间'))).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d（北京时间）$/);
    expect(kv.get('选址面积（平方米）')).toBe(farmland.site.area.m2);
    expect(kv.get('选址面积（公顷）')).toBe(farmland.site.area.ha);
    expect(kv.get('选址面积（亩）')).toBe(farmland.site.area.mu);
    expect(kv.get('合规范围面积（亩）')).toBe(farmland.trimmed.area.mu);
    let header = 0;
    summary.eachRow((row, n) => {
      if (row.getCell(1).value === '规则') header = n;
    });
    expect(summary.getRow(header).values).toEqual([undefined, '规则', '结论', '说明', '规则依据']);
    const statusZh = { pass: '通过', warn: '提示', conflict: '冲突' } as const;
    farmland.verdicts.forEach((v, i) => {
      const row = summary.getRow(header + 1 + i);
      expect(row.getCell(1).value).toBe(v.titleZh);
      expect(row.getCell(2).value).toBe(statusZh[v.status]);
      expect(row.getCell(3).value).toBe(v.messageZh);
      expect(row.getCell(4).value).toBe(v.ruleTextZh);
    });
    expect(farmland.verdicts.find((v) => v.rule === 'permanent-farmland')!.status).toBe('conflict');

    // 存量优先套核, before the verdicts: the match's sentence, each candidate, the reason and its note
    const sf = farmland.stockFirst;
    if (!sf.checked) throw new Error('a new report records the stock-first step');
    expect(kv.get('存量优先套核')).toBe(sf.summaryZh);
    expect(kv.get('套核用途')).toBe('工业');
    expect(kv.get('套核需求面积（亩）')).toBe(farmland.site.area.mu);
    expect(kv.get('继续新增用地理由')).toBe('其他');
    expect(kv.get('理由说明')).toBe('需临近铁路专用线，\n图库中的地块均不具备');
    let stockHeader = 0;
    summary.eachRow((row, n) => {
      if (row.getCell(1).value === '存量候选方案') stockHeader = n;
    });
    expect(stockHeader).toBeGreaterThan(0);
    expect(stockHeader).toBeLessThan(header);
    if (sf.candidates.length === 0) expect(summary.getRow(stockHeader).getCell(2).value).toBe(sf.radiusKm ? `在选址 ${sf.radiusKm} 公里内未找到符合条件的存量地块` : '未找到符合条件的存量地块');
    sf.candidates.forEach((c, i) => {
      const v = (summary.getRow(stockHeader + 1 + i).values as unknown[]).slice(1);
      expect(v[0]).toBe(`第 ${c.rank} 名 · ${c.kind === 'single' ? '单宗地块' : '组合供应'}`);
      for (const p of c.parcels) expect(String(v[1])).toContain(p.code);
      expect(v.slice(2)).toEqual([c.totalArea.mu, c.score, c.distanceM === null ? '—' : Math.round(c.distanceM)]);
    });

    // 叠加分析: one row a layer
    const overlay = wb.getWorksheet('叠加分析')!;
    expect(overlay.getRow(1).values).toEqual([
      undefined, '图层', '是否涉及', '图斑数', '面积（平方米）', '面积（公顷）', '面积（亩）', '占比',
      '边界内（平方米）', '边界内（公顷）', '边界内（亩）', '边界外（平方米）', '边界外（公顷）', '边界外（亩）',
    ]);
    expect(overlay.rowCount).toBe(1 + farmland.layers.length);
    farmland.layers.forEach((l, i) => {
      const v = overlay.getRow(2 + i).values as unknown[];
      expect(v.slice(1, 8)).toEqual([l.nameZh, l.intersects ? '是' : '否', l.count, l.area.m2, l.area.ha, l.area.mu, l.shareOfSite]);
      if (l.layerId === 'urban-boundary') expect(v.slice(8, 14)).toEqual([l.inside!.m2, l.inside!.ha, l.inside!.mu, l.outside!.m2, l.outside!.ha, l.outside!.mu]);
    });

    // 涉及图斑: one row a hit feature
    const features = wb.getWorksheet('涉及图斑')!;
    const headers = (features.getRow(1).values as unknown[]).slice(1);
    expect(headers.slice(0, 2)).toEqual(['图层', '图斑编号']);
    expect(headers.slice(-3)).toEqual(['重叠面积（平方米）', '重叠面积（公顷）', '重叠面积（亩）']);
    expect(headers).toContain('地类名称');
    const hits = farmland.layers.flatMap((l) => l.features.map((f) => ({ layer: l.nameZh, ...f })));
    expect(hits.length).toBeGreaterThan(1);
    expect(features.rowCount).toBe(1 + hits.length);
    hits.forEach((f, i) => {
      const v = (features.getRow(2 + i).values as unknown[]).slice(1);
      expect(v.slice(0, 2)).toEqual([f.layer, f.code]);
      expect(v.slice(-3)).toEqual([f.overlapArea.m2, f.overlapArea.ha, f.overlapArea.mu]);
      expect(v[headers.indexOf('地类名称')]).toBe(f.attributes.land_class_name);
    });
    const sumMu = hits.reduce((s, f) => s + f.overlapArea.mu, 0);
    expect(sumMu).toBeCloseTo(farmland.layers.find((l) => l.layerId === 'permanent-farmland')!.area.mu, 6);
  });

  it('exports GeoJSON: the site, each intersection, the outside-boundary part and the trimmed site, with the report’s areas', async () => {
    const res = await get(`/api/site-checks/${farmland.id}/export.geojson`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/geo\+json/);
    expect(String(res.headers['content-disposition'])).toContain(encodeURIComponent('选址套核-某工业项目（一期）'));
    const fc = res.json() as { type: string; report: { contentHash: string }; features: { geometry: Geometry; properties: Record<string, unknown> }[] };
    expect(fc.type).toBe('FeatureCollection');
    expect(fc.report.contentHash).toBe(farmland.contentHash);
    const of = (kind: string) => fc.features.filter((f) => f.properties.kind === kind);

    const [site] = of('site');
    expect(site!.geometry).toEqual(farmland.site.geometry);
    expect(site!.properties).toMatchObject({ kind_zh: '选址范围', area_m2: farmland.site.area.m2, area_ha: farmland.site.area.ha, area_mu: farmland.site.area.mu, report_id: farmland.id });

    const touched = farmland.layers.filter((l) => l.intersection);
    expect(touched.map((l) => l.layerId)).toContain('permanent-farmland');
    expect(of('intersection').map((f) => f.properties.layer)).toEqual(touched.map((l) => l.layerId));
    for (const l of touched) {
      const f = of('intersection').find((x) => x.properties.layer === l.layerId)!;
      expect(f.geometry).toEqual(l.intersection);
      expect(f.properties).toMatchObject({ layer_zh: l.nameZh, count: l.count, area_m2: l.area.m2, area_ha: l.area.ha, area_mu: l.area.mu, share: l.shareOfSite });
    }

    const udb = farmland.layers.find((l) => l.layerId === 'urban-boundary')!;
    const [outside] = of('outside-boundary');
    expect(outside!.geometry).toEqual(udb.outsideGeometry);
    expect(outside!.properties).toMatchObject({ layer: 'urban-boundary', area_m2: udb.outside!.m2, area_mu: udb.outside!.mu });

    const [trimmed] = of('trimmed');
    expect(trimmed!.geometry).toEqual(farmland.trimmed.geometry);
    expect(trimmed!.properties).toMatchObject({ area_m2: farmland.trimmed.area.m2, area_ha: farmland.trimmed.area.ha, area_mu: farmland.trimmed.area.mu });
  });

  it('exports zipped Shapefiles: .shp/.shx/.dbf/.prj/.cpg per kind, CGCS2000, UTF-8 attributes of ≤ 10-character names', async () => {
    const res = await get(`/api/site-checks/${farmland.id}/export.zip`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/zip');
    const zip = await JSZip.loadAsync(res.rawPayload);
    const geojson = (await get(`/api/site-checks/${farmland.id}/export.geojson`)).json() as { features: { geometry: Geometry; properties: Record<string, unknown> }[] };
    const names = { site: 'site', intersection: 'site_intersection', 'outside-boundary': 'site_outside_boundary', trimmed: 'site_trimmed' } as Record<string, string>;
    const kinds = [...new Set(geojson.features.map((f) => String(f.properties.kind)))];
    expect(kinds).toEqual(['site', 'intersection', 'outside-boundary', 'trimmed']);
    for (const kind of kinds) {
      const base = names[kind]!;
      for (const ext of ['shp', 'shx', 'dbf', 'prj', 'cpg']) expect(zip.file(`${base}.${ext}`), `${base}.${ext}`).not.toBeNull();
      const prj = await zip.file(`${base}.prj`)!.async('string');
      expect(prj).toMatch(/^GEOGCS\["China Geodetic Coordinate System 2000"/);
      expect(prj).toContain('AUTHORITY["EPSG","4490"]');
      expect((await zip.file(`${base}.cpg`)!.async('string')).trim()).toBe('UTF-8');

      const shp = await zip.file(`${base}.shp`)!.async('uint8array');
      const dbf = await zip.file(`${base}.dbf`)!.async('uint8array');
      const shx = await zip.file(`${base}.shx`)!.async('uint8array');
      // field names: 32-byte descriptors after the 32-byte header, up to the 0x0D terminator
      const fieldNames: string[] = [];
      for (let at = 32; dbf[at] !== 0x0d; at += 32) fieldNames.push(new TextDecoder().decode(dbf.subarray(at, at + 11)).replace(/\0+$/, ''));
      expect(fieldNames.every((n) => n.length <= 10)).toBe(true);
      expect(fieldNames).toEqual(expect.arrayContaining(['KIND', 'LAYER', 'AREA_M2', 'AREA_HA', 'AREA_MU']));
      // .shx: one 8-byte record a feature after the 100-byte header
      const want = geojson.features.filter((f) => f.properties.kind === kind);
      expect((shx.length - 100) / 8).toBe(want.length);

      const read = await shapefile.read(shp, dbf, { encoding: 'utf-8' });
      expect(read.features).toHaveLength(want.length);
      read.features.forEach((f, i) => {
        const g = want[i]!;
        expect(f.properties!.KIND).toBe(kind);
        expect(f.properties!.KIND_ZH).toBe(g.properties.kind_zh);
        expect(f.properties!.AREA_M2).toBeCloseTo(g.properties.area_m2 as number, 3);
        expect(f.properties!.AREA_HA).toBeCloseTo(g.properties.area_ha as number, 6);
        expect(f.properties!.AREA_MU).toBeCloseTo(g.properties.area_mu as number, 4);
        // the same rings (orientation may be turned for the Shapefile's clockwise rule)
        const key = (r: number[][]) => r.slice(0, -1).map((p) => p.join(',')).sort().join(';');
        const gotRings = polygonsOf(f.geometry as Geometry).flat().map(key).sort();
        const wantRings = polygonsOf(g.geometry).flat().map(key).sort();
        expect(gotRings).toEqual(wantRings);
      });
    }
    expect(zip.file('说明.txt')).not.toBeNull();
  });

  it('exports the site as a 界址点坐标文件 in GBK that reads back to the site within 1 mm, header area = plane area', async () => {
    const res = await get(`/api/site-checks/${farmland.id}/boundary-points.txt?zone=38`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/plain; charset=GBK');
    expect(String(res.headers['content-disposition'])).toContain(encodeURIComponent('-界址点-3度带38.txt'));
    const bytes = res.rawPayload;
    expect(() => new TextDecoder('utf-8', { fatal: true }).decode(bytes)).toThrow(); // it really is GBK
    const text = new TextDecoder('gbk').decode(bytes);
    const { attrs, parcels, lines } = readBoundaryFile(text);
    expect(lines.slice(0, 8)).toEqual(['[属性描述]', '坐标系=2000国家大地坐标系', '几度分带=3', '投影类型=高斯克吕格', '计量单位=米', '带号=38', '精度=0.001', '[地块坐标]']);
    expect(attrs['带号']).toBe('38');
    expect(parcels).toHaveLength(1);
    const p = parcels[0]!;
    expect(p.fields).toEqual([String(p.count), p.fields[1], '1', '某工业项目（一期）', '面', '', '工业', '', '@']);
    expect(p.count).toBe([...p.rings.values()].reduce((n, r) => n + r.length, 0));
    const firstPoint = lines[9]!;
    expect(firstPoint).toMatch(/^J1,1,\d{7}\.\d{3},38\d{6}\.\d{3}$/);
    expectSameRings(farmland.site.geometry, p, { zone: 38, zoneWidth: 3, zonePrefix: true });
    const planeM2 = ringPlaneArea(p.rings.get(1)!);
    expect(p.fields[1]).toBe(roundTo(planeM2 / 10_000, 4).toFixed(4));
    // a plane area, not the ellipsoidal one: close to it, but not the same figure
    expect(Math.abs(planeM2 - farmland.site.area.m2) / farmland.site.area.m2).toBeLessThan(2e-3);
  });

  it('writes holes and further parts as further rings, in the zone, width, prefix and encoding asked for', async () => {
    const res = await get(`/api/site-checks/${holed.id}/boundary-points.txt?zone=39&prefix=false&encoding=utf-8`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
    const { attrs, parcels } = readBoundaryFile(new TextDecoder('utf-8', { fatal: true }).decode(res.rawPayload));
    expect(attrs['带号']).toBe('39');
    const p = parcels[0]!;
    expect(p.fields[3]).toBe('两块 有洞'); // the comma would split the header line
    const site = holed.site.geometry;
    const ringCount = polygonsOf(site).flat().length;
    expect([...p.rings.keys()]).toEqual(Array.from({ length: ringCount }, (_, i) => i + 1));
    for (const r of p.rings.values()) for (const pt of r) expect(pt.e).toBeLessThan(1_000_000);
    expectSameRings(site, p, { zone: 39, zoneWidth: 3, zonePrefix: false });
    // outer rings minus holes: the hole is the ring whose points lie inside the first ring's box
    const rings = [...p.rings.values()];
    const [outer, hole, ...rest] = rings;
    const area = ringPlaneArea(outer!) - ringPlaneArea(hole!) + rest.reduce((s, r) => s + ringPlaneArea(r), 0);
    expect(p.areaHa).toBe(roundTo(area / 10_000, 4));

    const six = await get(`/api/site-checks/${holed.id}/boundary-points.txt?zone=20&zoneWidth=6`);
    expect(six.statusCode).toBe(200);
    const sixFile = readBoundaryFile(new TextDecoder('gbk').decode(six.rawPayload));
    expect(sixFile.attrs['几度分带']).toBe('6');
    expectSameRings(site, sixFile.parcels[0]!, { zone: 20, zoneWidth: 6, zonePrefix: true });

    // without a zone: the zone the site lies in (Kaifeng: 3° zone 38)
    const dflt = await get(`/api/site-checks/${holed.id}/boundary-points.txt`);
    expect(readBoundaryFile(new TextDecoder('gbk').decode(dflt.rawPayload)).attrs['带号']).toBe('38');
  });

  it('writes files the project’s own importer reads back to the site: 界址点 (GBK, zone 38) and the Shapefile zip', async () => {
    for (const r of [farmland, holed]) {
      const site = r.site.geometry;
      const txt = await parseSiteFile({ fileName: '界址点.txt', bytes: (await get(`/api/site-checks/${r.id}/boundary-points.txt`)).rawPayload });
      expect(txt.warnings).toEqual([]);
      expect(txt.detected).toMatchObject({ format: 'boundary-points', crs: 'EPSG:4526', zone: 38, zoneWidth: 3, encoding: 'gbk' });
      const [parcel] = txt.features.features;
      expect(parcel!.properties.plane_area_ha).toBe(parcel!.properties.header_area_ha);
      expect(parcel!.properties.name).toBe(r.name!.replace(',', ''));
      // every vertex back within 1 mm (compared in the zone's plane)
      const gk = (p: number[]) => lonLatToGaussKruger(p[0]!, p[1]!, { zone: 38 });
      const back = polygonsOf(parcel!.geometry as Geometry).flat().flat().map(gk);
      const want = polygonsOf(site).flat().flat().map(gk);
      expect(new Set(back.map((p) => `${p.northing.toFixed(2)},${p.easting.toFixed(2)}`)).size).toBe(new Set(want.map((p) => `${p.northing.toFixed(2)},${p.easting.toFixed(2)}`)).size);
      for (const p of want) expect(Math.min(...back.map((q) => Math.hypot(q.northing - p.northing, q.easting - p.easting)))).toBeLessThan(0.001);

      const shp = await parseSiteFile({ fileName: 'export.zip', bytes: (await get(`/api/site-checks/${r.id}/export.zip`)).rawPayload });
      expect(shp.detected).toMatchObject({ format: 'shapefile', crs: 'EPSG:4490', encoding: 'utf-8' });
      expect(shp.warnings.map((w) => w.code)).toEqual(['ZIP_SEVERAL_SHP']);
      const [f] = shp.features.features;
      expect(f!.properties.KIND).toBe('site');
      expect(f!.properties.KIND_ZH).toBe('选址范围');
      const key = (r: number[][]) => r.slice(0, -1).map((p) => p.join(',')).sort().join(';');
      expect(polygonsOf(f!.geometry as Geometry).flat().map(key).sort()).toEqual(polygonsOf(site).flat().map(key).sort());
    }
  });

  it('answers an unknown report with a 404 in Chinese on every export', async () => {
    const id = '00000000-0000-4000-8000-000000000000';
    for (const path of ['export.xlsx', 'export.geojson', 'export.zip', 'boundary-points.txt']) {
      const res = await get(`/api/site-checks/${id}/${path}`);
      expect(res.statusCode, path).toBe(404);
      expect(res.json().error).toEqual({ code: 'REPORT_NOT_FOUND', message: `没有编号为 ${id} 的选址套核报告` });
    }
    const en = await get(`/api/site-checks/${id}/export.xlsx`, { 'accept-language': 'en' });
    expect(en.json().error.message).toBe(`No site-check report ${id}`);
  });

  it.each([
    ['a malformed id', 'abc/export.xlsx', 'INVALID_ID', '报告编号格式不正确'],
    ['a malformed id (界址点)', 'not-a-uuid/boundary-points.txt?zone=38', 'INVALID_ID', '报告编号格式不正确'],
    ['a 3° zone out of range', '{id}/boundary-points.txt?zone=50', 'INVALID_ZONE', '3 度带的带号为 25–45'],
    ['a 6° zone out of range', '{id}/boundary-points.txt?zone=38&zoneWidth=6', 'INVALID_ZONE', '6 度带的带号为 13–23'],
    ['a zone that is not a number', '{id}/boundary-points.txt?zone=abc', 'VALIDATION_FAILED', '带号须为整数'],
    ['a fractional zone', '{id}/boundary-points.txt?zone=38.5', 'VALIDATION_FAILED', '带号须为整数'],
    ['a zone far from the site', '{id}/boundary-points.txt?zone=25', 'ZONE_TOO_FAR', '中央经线 75°'],
    ['an unknown zone width', '{id}/boundary-points.txt?zone=38&zoneWidth=4', 'VALIDATION_FAILED', '分带宽度须为 3 或 6'],
    ['an unknown encoding', '{id}/boundary-points.txt?encoding=latin1', 'VALIDATION_FAILED', '文件编码须为 gbk 或 utf-8'],
    ['an unknown prefix flag', '{id}/boundary-points.txt?prefix=maybe', 'VALIDATION_FAILED', '带号前缀须为 true 或 false'],
  ])('answers %s with a 400', async (_what, path, code, text) => {
    const res = await get(`/api/site-checks/${path.replace('{id}', farmland.id)}`);
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe(code);
    expect(res.json().error.message).toContain(text);
  });

  it('documents the export routes in the OpenAPI description', async () => {
    const doc = (await get('/docs/json')).json() as { paths: Record<string, unknown> };
    for (const p of ['export.xlsx', 'export.geojson', 'export.zip', 'boundary-points.txt']) expect(Object.keys(doc.paths)).toContain(`/api/site-checks/{id}/${p}`);
  });
});
