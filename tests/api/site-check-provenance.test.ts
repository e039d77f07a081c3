/**
 * The site's provenance end to end, with 界址点 files made by PROJ's cs2cs
 * (tests/fixtures/provenance/make.sh): the parse route answers a provenance ready-made, the
 * site check files it with the submitted geometry at full precision, the source coordinates are
 * kept only while they match the site within 1 mm (an edited site keeps its provenance but not
 * them), and the 界址点 export gives back the submitted file's coordinates within 1 mm — from the
 * source coordinates in the file's zone, by reprojection in another — on the datum the file
 * names. Bad provenance is a 4xx naming it.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import ExcelJS from 'exceljs';
import proj4 from 'proj4';
import { ParseResponse } from '../../core/contracts/geometry.ts';
import { SiteCheckReport, type SiteProvenance } from '../../core/contracts/site-check.ts';
import { hashReport } from '../../server/src/modules/site-check/service.ts';
import { startApi } from '../helpers/api.ts';
import { backend } from '../helpers/backend.ts';

const FIX = new URL('../fixtures/provenance/', import.meta.url);
const bytes = (name: string) => readFileSync(new URL(name, FIX));
const text = (name: string) => readFileSync(new URL(name, FIX), 'utf8');

/** The cs2cs output: ring number and [easting, northing] per point, in file order (open rings). */
function csPoints(epsg: number | string): { ring: number; e: number; n: number }[] {
  const rings = text('site-latlon.txt').trim().split('\n').map((l) => Number(l.split(' ')[0]));
  return text(`xy-${epsg}.txt`)
    .trim()
    .split('\n')
    .map((l, i) => {
      const [n, e] = l.trim().split(/\s+/).map(Number);
      return { ring: rings[i]!, e: e!, n: n! };
    });
}

/** A 界址点 file's attribute lines and points (ring → [northing, easting] text as written), read independently of the project's parser. */
function readBoundary(t: string): { attrs: Record<string, string>; rings: Map<number, { n: string; e: string }[]>; header: string[] } {
  const attrs: Record<string, string> = {};
  const rings = new Map<number, { n: string; e: string }[]>();
  let header: string[] = [];
  let section = '';
  for (const line of t.split('\r\n')) {
    if (!line) continue;
    const s = /^\[(.+)\]$/.exec(line);
    if (s) {
      section = s[1]!;
      continue;
    }
    if (section === '属性描述') {
      const at = line.indexOf('=');
      attrs[line.slice(0, at)] = line.slice(at + 1);
    } else {
      const f = line.split(',');
      if (f[f.length - 1] === '@') header = f;
      else rings.set(Number(f[1]), [...(rings.get(Number(f[1])) ?? []), { n: f[2]!, e: f[3]! }]);
    }
  }
  return { attrs, rings, header };
}

/** Every point of the submitted file has one in the export within `tol` m (after shifting the easting by `dE`), ring by ring, and the counts agree. */
function expectSamePoints(exported: ReturnType<typeof readBoundary>, file: { ring: number; e: number; n: number }[], tol: number, dE = 0): number {
  let worst = 0;
  for (const ring of [1, 2]) {
    const want = file.filter((p) => p.ring === ring);
    const got = exported.rings.get(ring) ?? [];
    // closed: one more point, the first repeated
    expect(got.length, `ring ${ring}`).toBe(want.length + 1);
    expect(got[got.length - 1]).toEqual(got[0]);
    for (const p of want) {
      const d = Math.min(...got.map((q) => Math.hypot(Number(q.e) + dE - p.e, Number(q.n) - p.n)));
      worst = Math.max(worst, d);
      expect(d, `ring ${ring} point ${p.n},${p.e}`).toBeLessThanOrEqual(tol);
    }
  }
  return worst;
}

/** A multipart/form-data body with one file. */
function multipart(filename: string, content: Buffer): { payload: Buffer; headers: Record<string, string> } {
  const boundary = '----yizhangtu-provenance';
  const payload = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: text/plain\r\n\r\n`),
    content,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return { payload, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

type Geometry = { type: 'Polygon'; coordinates: number[][][] } | { type: 'MultiPolygon'; coordinates: number[][][][] };

/** The parsed parcels as one site, as the upload panel joins them. */
function siteOf(parsed: ParseResponse): Geometry {
  const polygons = parsed.features.features.flatMap((f) => (f.geometry.type === 'Polygon' ? [f.geometry.coordinates] : f.geometry.coordinates));
  return polygons.length === 1 ? { type: 'Polygon', coordinates: polygons[0]! } : { type: 'MultiPolygon', coordinates: polygons };
}

/**
 * The parser's source coordinates are the file's own numbers: one feature, the outer ring and the
 * hole, each closed, every cs2cs point of the ring (and nothing else) to the digit.
 */
function expectSourceIsFile(source: SiteProvenance['source'] | undefined, epsg: number): void {
  expect(source, 'source coordinates').toBeTruthy();
  expect(source!.geometries).toHaveLength(1);
  const g = source!.geometries[0]!;
  expect(g.type).toBe('Polygon');
  const rings = g.coordinates as number[][][];
  expect(rings).toHaveLength(2);
  const cs = csPoints(epsg);
  rings.forEach((ring, i) => {
    expect(ring[ring.length - 1]).toEqual(ring[0]);
    const key = (e: number, n: number) => `${e.toFixed(3)},${n.toFixed(3)}`;
    expect(ring.slice(0, -1).map(([e, n]) => key(e!, n!)).sort()).toEqual(cs.filter((p) => p.ring === i + 1).map((p) => key(p.e, p.n)).sort());
  });
}

const STOCK = { reason: 'other', note: '来源测试' } as const;

describe(`the site's provenance on ${backend}`, () => {
  let app: FastifyInstance;
  let stop: () => Promise<void>;

  beforeAll(async () => {
    ({ app, stop } = await startApi());
  });
  afterAll(async () => {
    await stop?.();
  });

  const parse = async (name: string, query = '') => {
    const body = multipart(name, bytes(name));
    const res = await app.inject({ method: 'POST', url: `/api/geometry/parse${query}`, payload: body.payload, headers: body.headers });
    return res;
  };
  const parsed = async (name: string, query = '') => {
    const res = await parse(name, query);
    expect(res.statusCode, res.body).toBe(200);
    return ParseResponse.parse(res.json());
  };
  const file = async (body: object) => {
    const res = await app.inject({ method: 'POST', url: '/api/site-checks', payload: body });
    expect(res.statusCode, res.body).toBe(201);
    return SiteCheckReport.parse(res.json());
  };
  const points = async (id: string, query: string) => {
    const res = await app.inject({ method: 'GET', url: `/api/site-checks/${id}/boundary-points.txt${query}` });
    expect(res.statusCode, res.body).toBe(200);
    return { file: readBoundary(new TextDecoder('gbk').decode(res.rawPayload)), from: String(res.headers['x-coordinates-from']) };
  };

  const provenanceSheet = async (id: string) => {
    const res = await app.inject({ method: 'GET', url: `/api/site-checks/${id}/export.xlsx` });
    expect(res.statusCode).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
    const ws = wb.getWorksheet('来源')!;
    const rows: ExcelJS.Row[] = [];
    ws.eachRow((row) => rows.push(row));
    const kv = new Map(rows.map((row) => [String(row.getCell(1).value), String(row.getCell(2).value)]));
    const vertices = rows.filter((row) => /^要素 \d+$/.test(String(row.getCell(1).value))).map((row) => [Number(row.getCell(3).value), Number(row.getCell(4).value)]);
    return { rows, kv, vertices };
  };

  it('answers a provenance with the parse: file name, format, the detection, no overrides, the warnings shown', async () => {
    const r = await parsed('site-cgcs2000-zone38.txt');
    const p = r.provenance;
    expect(p.fileName).toBe('site-cgcs2000-zone38.txt');
    expect(p.format).toBe('boundary-points');
    expect(p.detected).toMatchObject({ crs: 'EPSG:4526', zone: 38, zoneWidth: 3, axisOrder: 'northing-easting', encoding: 'gbk', datum: 'cgcs2000', datumTransform: 'none' });
    expect(p.confirmed).toEqual(p.detected);
    expect(p.detectionRefused).toBeNull();
    expect(p.overrides).toEqual({});
    expect(p.warnings).toEqual(r.warnings);
    expect(p.edited).toBe(false);
    // pasted text has no file name
    const pasted = await app.inject({ method: 'POST', url: '/api/geometry/parse', payload: bytes('site-cgcs2000-zone38.txt'), headers: { 'content-type': 'text/plain' } });
    expect(ParseResponse.parse(pasted.json()).provenance.fileName).toBeNull();
  });

  it('keeps what the file itself declares when the planner overrides the detection (or why it could not be read without them), and the overrides', async () => {
    // pasted Gauss–Krüger coordinates without a zone prefix: the zone is not in the numbers
    const coords = readFileSync(new URL('../fixtures/parse/coords-gk-noprefix.txt', import.meta.url));
    const send = (query: string) => app.inject({ method: 'POST', url: `/api/geometry/parse${query}`, payload: coords, headers: { 'content-type': 'text/plain' } });
    const plain = await send('');
    const res = await send('?zone=39&axisOrder=yx');
    expect(res.statusCode, res.body).toBe(200);
    const r = ParseResponse.parse(res.json());
    expect(r.provenance.overrides).toEqual({ zone: 39, axisOrder: 'yx' });
    // placed with the overrides …
    expect(r.provenance.confirmed).toEqual(crsOf(r.detected));
    expect(r.provenance.confirmed!.zone).toBe(39);
    // … detected without them: the file alone gives no zone (eastings without a prefix), so the
    // parser refuses it — the provenance says why
    expect(plain.statusCode).toBe(422);
    expect(plain.json().error.code).toBe('ZONE_AMBIGUOUS');
    expect(r.provenance.detected).toBeNull();
    expect(r.provenance.detectionRefused!.code).toBe('ZONE_AMBIGUOUS');
    expect(r.provenance.detectionRefused!.zh).toBe(plain.json().error.message);
  });

  it('files the provenance and the site at full precision; the 界址点 export gives the file back within 1 mm, in its zone and with another prefix', async () => {
    const r = await parsed('site-cgcs2000-zone38.txt');
    const geometry = siteOf(r);
    const report = await file({ geometry, name: '来源测试', use: '工业', stockFirst: STOCK, provenance: r.provenance });
    // the submitted geometry, every digit
    expect(report.site.geometry).toEqual(geometry);
    const again = SiteCheckReport.parse((await app.inject({ method: 'GET', url: `/api/site-checks/${report.id}` })).json());
    expect(again.site.geometry).toEqual(geometry);
    expect(again.contentHash).toBe(report.contentHash);
    const { sourceCheck, verification, ...filed } = report.provenance!;
    expect(filed).toEqual(r.provenance);
    expect(verification).toMatchObject({ verified: true });
    expect(sourceCheck.status).toBe('matched');
    expectSourceIsFile(r.provenance.source, 4526);

    const cs = csPoints(4526);
    const same = await points(report.id, '?zone=38');
    expect(same.file.attrs['坐标系']).toBe('2000国家大地坐标系');
    expect(same.from).toBe('source');
    expectSamePoints(same.file, cs, 0.001);
    // without the zone prefix: reprojected from the full-precision site
    const bare = await points(report.id, '?zone=38&prefix=false');
    expect(bare.from).toBe('cgcs2000');
    expectSamePoints(bare.file, cs, 0.001, 38_000_000);
  });

  it('keeps source coordinates that match the site within 1 mm and writes them back digit for digit in their zone', async () => {
    const r = await parsed('site-cgcs2000-zone38.txt');
    const source = r.provenance.source!;
    expectSourceIsFile(source, 4526);
    expect(source).toMatchObject({ crs: 'EPSG:4526', epsg: 4526 });
    const report = await file({ geometry: siteOf(r), name: '来源测试', use: '工业', stockFirst: STOCK, provenance: r.provenance });
    expect(report.provenance!.sourceCheck.status).toBe('matched');
    expect(report.provenance!.sourceCheck.maxDeviationM!).toBeLessThan(0.001);
    expect(report.provenance!.source).toEqual(source);
    // the provenance is hashed with the report: read back, the hash holds; changed, it does not
    const read = SiteCheckReport.parse((await app.inject({ method: 'GET', url: `/api/site-checks/${report.id}` })).json());
    expect(read.provenance).toEqual(report.provenance);
    expect(hashReport(read)).toBe(report.contentHash);
    expect(hashReport({ ...read, provenance: { ...read.provenance!, fileName: 'another.txt' } })).not.toBe(report.contentHash);
    expect(hashReport({ ...read, provenance: { ...read.provenance!, source: { ...source, geometries: [] } } })).not.toBe(report.contentHash);

    const same = await points(report.id, '?zone=38');
    expect(same.from).toBe('source');
    // exactly the numbers of the submitted file
    const submitted = readBoundary(new TextDecoder('gbk').decode(bytes('site-cgcs2000-zone38.txt')));
    for (const ring of [1, 2]) {
      const key = (ps: { n: string; e: string }[]) => ps.slice(0, -1).map((q) => `${q.n},${q.e}`).sort();
      expect(key(same.file.rings.get(ring)!)).toEqual(key(submitted.rings.get(ring)!));
    }
    expect(same.file.header[1]).toBe(submitted.header[1]); // the plane area, as the file says it
    const bare = await points(report.id, '?zone=38&prefix=false');
    expect(bare.from).toBe('cgcs2000');
    expectSamePoints(bare.file, csPoints(4526), 0.001, 38_000_000);

    // the Excel export's 来源 sheet: the provenance, then the source coordinates a row a vertex
    const sheet = await provenanceSheet(report.id);
    expect(sheet.kv.get('原始文件')).toBe('site-cgcs2000-zone38.txt');
    expect(sheet.kv.get('格式')).toBe('界址点坐标文件');
    expect(sheet.kv.get('采用的坐标系')).toMatch(/^EPSG:4526( |$)/);
    expect(sheet.kv.get('带号')).toBe('38（3°带）');
    expect(sheet.kv.get('编码')).toBe('GBK');
    const cs = csPoints(4526);
    expect(sheet.vertices).toHaveLength(cs.length + 2); // each ring closed
    for (const p of cs) expect(sheet.vertices.some(([e, n]) => e === p.e && n === p.n), `${p.e},${p.n}`).toBe(true);
  });

  it('drops the source coordinates of a site the check repaired, saying so', async () => {
    // a bow tie in zone 38: the crossing makes it invalid, repair: true files it repaired
    const def = text('epsg-4526.proj4').trim();
    const ring: [number, number][] = [[38531000, 3850000], [38531400, 3850400], [38531400, 3850000], [38531000, 3850400], [38531000, 3850000]];
    const lonlat = ring.map((p) => proj4(def, '+proj=longlat +ellps=GRS80 +no_defs', p) as number[]);
    lonlat[lonlat.length - 1] = lonlat[0]!;
    const r = await parsed('site-cgcs2000-zone38.txt');
    const report = await file({
      geometry: { type: 'Polygon', coordinates: [lonlat] },
      use: '工业',
      stockFirst: STOCK,
      repair: true,
      provenance: { ...r.provenance, source: { crs: 'EPSG:4526', epsg: 4526, proj4: def, geometries: [{ type: 'Polygon', coordinates: [ring] }] } },
    });
    expect(report.site.repaired).toBe(true);
    expect(report.provenance).toMatchObject({ source: null, sourceCheck: { status: 'dropped' } });
    expect(report.provenance!.sourceCheck.zh).toContain('自动修复');
  });

  it('drops the source coordinates of a site edited after upload (keeping the rest) and says why', async () => {
    const r = await parsed('site-cgcs2000-zone38.txt');
    const source = r.provenance.source!;
    expectSourceIsFile(source, 4526);
    const geometry = siteOf(r) as { type: 'Polygon'; coordinates: number[][][] };
    // one vertex moved ~1 m east, the ring kept closed
    const moved = structuredClone(geometry);
    moved.coordinates[0]![2]![0]! += 0.00001;
    const edited = await file({ geometry: moved, use: '工业', stockFirst: STOCK, provenance: { ...r.provenance, source, edited: true } });
    expect(edited.provenance).toMatchObject({ fileName: 'site-cgcs2000-zone38.txt', edited: true, source: null, sourceCheck: { status: 'dropped' } });
    expect(edited.provenance!.sourceCheck.zh).toContain('上传后于地图上修改过');
    expect(edited.provenance!.sourceCheck.maxDeviationM!).toBeGreaterThan(0.5);
    expect((await points(edited.id, '?zone=38')).from).toBe('cgcs2000');

    // not flagged, but not matching: dropped all the same, with the distance
    const silent = await file({ geometry: moved, use: '工业', stockFirst: STOCK, provenance: { ...r.provenance, source } });
    expect(silent.provenance!.sourceCheck.status).toBe('dropped');
    expect(silent.provenance!.sourceCheck.zh).toMatch(/最大相差 [\d.]+ 毫米/);
    // another structure (the hole left out)
    const noHole = await file({ geometry: { type: 'Polygon', coordinates: [geometry.coordinates[0]] }, use: '工业', stockFirst: STOCK, provenance: { ...r.provenance, source } });
    expect(noHole.provenance!.sourceCheck.zh).toContain('点数不同');
  });

  it('files a drawn site as drawn, and a request without provenance as none', async () => {
    const r = await parsed('site-cgcs2000-zone38.txt');
    const drawn = await file({
      geometry: siteOf(r),
      use: '工业',
      stockFirst: STOCK,
      provenance: { fileName: null, format: 'drawn', detected: null, detectionRefused: null, confirmed: null, overrides: {}, warnings: [], source: null, edited: false },
    });
    expect(drawn.provenance).toMatchObject({ format: 'drawn', sourceCheck: { status: 'none' } });
    // nothing to verify: recorded as the submitter states, not flagged as a failed verification
    expect(drawn.provenance!.verification!.zh).toContain('在地图上绘制的选址');
    const sheet = await provenanceSheet(drawn.id);
    const red = sheet.rows.filter((row) => row.getCell(2).font?.color?.argb === 'FFC92A2A');
    expect(red).toHaveLength(0);
    expect((await points(drawn.id, '?zone=38')).file.attrs['来源说明']).toBeUndefined();
    // a "drawn" site that claims a file's coordinate system is checked like any other
    const claims = await file({
      geometry: siteOf(r),
      use: '工业',
      stockFirst: STOCK,
      provenance: { ...r.provenance, format: 'drawn', signature: undefined },
    });
    expect(claims.provenance!.verification!.zh).toMatch(/^来源信息未经服务器核验/);
    const none = await file({ geometry: siteOf(r), use: '工业', stockFirst: STOCK });
    expect(none.provenance).toBeNull();
  });

  it('refuses a malformed provenance with a 400 naming it, and more source vertices than the site may have with a 422', async () => {
    const r = await parsed('site-cgcs2000-zone38.txt');
    const bad = await app.inject({ method: 'POST', url: '/api/site-checks', payload: { geometry: siteOf(r), use: '工业', stockFirst: STOCK, provenance: { ...r.provenance, format: 'dwg' } } });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('provenance');
    const long = await app.inject({ method: 'POST', url: '/api/site-checks', payload: { geometry: siteOf(r), use: '工业', stockFirst: STOCK, provenance: { ...r.provenance, fileName: 'x'.repeat(300) } } });
    expect(long.statusCode).toBe(400);
    expect(long.body).toContain('provenance.fileName');
    const ring = Array.from({ length: 50_001 }, (_, i) => [38_531_000 + i * 0.001, 3_850_000] as [number, number]);
    const huge = await app.inject({
      method: 'POST',
      url: '/api/site-checks',
      payload: { geometry: siteOf(r), use: '工业', stockFirst: STOCK, provenance: { ...r.provenance, source: { crs: 'EPSG:4526', proj4: '+proj=tmerc', geometries: [{ type: 'Polygon', coordinates: [ring] }] } } },
    });
    expect(huge.statusCode).toBe(422);
    expect(huge.json().error).toMatchObject({ code: 'TOO_MANY_VERTICES' });
    expect(huge.json().error.message).toContain('来源文件的原始坐标的顶点超过 50000 个');
  });

  it('files the parse’s signed provenance as verified, and any other as unverified saying why — never silently trusted', async () => {
    const r = await parsed('site-beijing54-zone38.txt', '?acceptApproximateDatum=true');
    expect(r.provenance.signature).toMatchObject({ geometrySha256: expect.stringMatching(/^[0-9a-f]{64}$/), hmac: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(r.provenance.warnings.map((w) => w.code)).toContain('DATUM_APPROXIMATE');
    const geometry = siteOf(r) as { type: 'Polygon'; coordinates: number[][][] };
    const send = (provenance: object, g: object = geometry) => file({ geometry: g, use: '工业', stockFirst: STOCK, provenance });

    const signed = await send(r.provenance);
    expect(signed.provenance!.verification).toMatchObject({ verified: true });
    expect(signed.provenance!.verification!.zh).toContain('经服务器核验');
    const signedSheet = await provenanceSheet(signed.id);
    expect(signedSheet.kv.get('来源核验')).toMatch(/^来源信息经服务器核验/);
    expect((await points(signed.id, '?zone=38')).file.attrs['来源说明']).toBeUndefined();

    // the approximate placement's warning stripped, the datum changed, the transform changed, no signature
    const stripped = { ...r.provenance, warnings: r.provenance.warnings.filter((w) => w.code !== 'DATUM_APPROXIMATE') };
    const datum = { ...r.provenance, confirmed: { ...r.provenance.confirmed!, datum: 'cgcs2000' as const } };
    const transform = { ...r.provenance, confirmed: { ...r.provenance.confirmed!, datumTransform: 'bureau-parameters' as const } };
    const { signature: _s, ...unsigned } = r.provenance;
    for (const [what, p] of [['stripped', stripped], ['datum', datum], ['transform', transform], ['unsigned', unsigned]] as const) {
      const report = await send(p);
      expect(report.provenance!.verification, what).toMatchObject({ verified: false });
      expect(report.provenance!.verification!.zh, what).toMatch(/^来源信息未经服务器核验：/);
      expect(report.provenance!.verification!.en, what).toMatch(/^The provenance was not verified by the server: /);
      expect(report.provenance!.signature, what).toBeUndefined();
      const sheet = await provenanceSheet(report.id);
      expect(sheet.kv.get('来源核验'), what).toMatch(/^来源信息未经服务器核验/);
      expect((await points(report.id, '?zone=38')).file.attrs['来源说明'], what).toMatch(/^来源信息未经服务器核验/);
      const red = sheet.rows.filter((row) => row.getCell(2).font?.color?.argb === 'FFC92A2A').map((row) => String(row.getCell(2).value));
      expect(red.some((v) => v.startsWith('来源信息未经服务器核验')), what).toBe(true);
    }
    expect((await send(unsigned)).provenance!.verification!.zh).toContain('未附服务器签名');
    expect((await send(stripped)).provenance!.verification!.zh).toContain('不一致');

    // another site under the file's signed provenance, not said to be edited: unverified
    const moved = structuredClone(geometry);
    moved.coordinates[0]![2]![0]! += 0.00001;
    const other = await send(r.provenance, moved);
    expect(other.provenance!.verification).toMatchObject({ verified: false });
    expect(other.provenance!.verification!.zh).toContain('不是该文件解析出的图形');
    // edited on the map: the signed provenance, flagged edited, is verified
    const edited = await send({ ...r.provenance, edited: true }, moved);
    expect(edited.provenance).toMatchObject({ edited: true, source: null, verification: { verified: true } });
    // re-checked from the filed report (its source dropped), as the client sends it: still verified
    const { sourceCheck: _c, verification: _v, ...again } = edited.provenance!;
    expect(again.signature).toBeDefined();
    const rerun = await send({ ...again, edited: true }, moved);
    expect(rerun.provenance!.verification).toMatchObject({ verified: true });
    expect(rerun.provenance!.warnings.map((w) => w.code)).toContain('DATUM_APPROXIMATE');
    // the report's content hash covers the verification
    expect(hashReport({ ...signed, provenance: { ...signed.provenance!, verification: { ...signed.provenance!.verification!, verified: false } } })).not.toBe(signed.contentHash);
  });

  it('drops (never a 500) source coordinates whose proj4 reads but cannot be applied, naming why; refuses a proj4 longer than 512 characters', async () => {
    const r = await parsed('site-cgcs2000-zone38.txt');
    const source = r.provenance.source!;
    expect(source).not.toBeNull();
    for (const def of ['+proj=tmerc +lon_0=114 +ellps=GRS80 +nadgrids=missing', '+proj=bonne +lat_1=0']) {
      const res = await app.inject({ method: 'POST', url: '/api/site-checks', payload: { geometry: siteOf(r), use: '工业', stockFirst: STOCK, provenance: { ...r.provenance, source: { ...source, proj4: def } } } });
      expect(res.statusCode, `${def}: ${res.body}`).toBe(201);
      const report = SiteCheckReport.parse(res.json());
      expect(report.provenance).toMatchObject({ source: null, sourceCheck: { status: 'dropped', maxDeviationM: null } });
      expect(report.provenance!.sourceCheck.zh).toContain('投影定义（proj4）');
      expect(report.provenance!.sourceCheck.en).toContain('proj4 definition');
    }
    const long = await app.inject({
      method: 'POST',
      url: '/api/site-checks',
      payload: { geometry: siteOf(r), use: '工业', stockFirst: STOCK, provenance: { ...r.provenance, source: { ...source, proj4: `${source.proj4} ${'+towgs84=0,0,0,0,0,0,0 '.repeat(30)}` } } },
    });
    expect(long.statusCode).toBe(400);
    expect(long.body).toContain('provenance.source.proj4');
  });

  it('takes the public’s largest site with its source coordinates within the public’s 512 KB body', async () => {
    // a 4 999-vertex ring of 3 km radius in zone 38, millimetre coordinates, placed with proj4
    const def = text('epsg-4526.proj4').trim();
    const n = 4_999;
    const ring: [number, number][] = [];
    for (let i = 0; i < n; i++) {
      const a = (2 * Math.PI * i) / n;
      ring.push([38_531_000 + Math.round(3000 * Math.cos(a) * 1000) / 1000, 3_850_000 + Math.round(3000 * Math.sin(a) * 1000) / 1000]);
    }
    ring.push(ring[0]!);
    const lonlat = ring.map((p) => proj4(def, '+proj=longlat +ellps=GRS80 +no_defs', p) as number[]);
    const r = await parsed('site-cgcs2000-zone38.txt');
    const body = JSON.stringify({
      geometry: { type: 'Polygon', coordinates: [lonlat] },
      use: '工业',
      stockFirst: STOCK,
      provenance: { ...r.provenance, source: { crs: 'EPSG:4526', epsg: 4526, proj4: def, geometries: [{ type: 'Polygon', coordinates: [ring] }] } },
    });
    expect(body.length).toBeLessThan(512 * 1024);
    const res = await app.inject({
      method: 'POST',
      url: '/api/site-checks',
      remoteAddress: '2001:db8::5ce:1',
      headers: { cookie: '', 'content-type': 'application/json' },
      payload: body,
    });
    expect(res.statusCode, res.body).toBe(201);
    const report = SiteCheckReport.parse(res.json());
    expect(report.expiresAt).toBeDefined(); // filed by the public
    expect(report.provenance!.sourceCheck.status).toBe('matched');
  });

  it('writes a Beijing 1954 site (accepted as an approximate placement) on its own datum, never as CGCS2000', async () => {
    const r = await parsed('site-beijing54-zone38.txt', '?acceptApproximateDatum=true');
    // the parser's own reading of the file
    expect(r.provenance.confirmed).toMatchObject({ datum: 'beijing54', datumTransform: 'approximate', zone: 38, zoneWidth: 3 });
    expect(r.provenance.overrides.acceptApproximateDatum).toBe(true);
    expect(r.provenance.warnings.map((w) => w.code)).toContain('DATUM_APPROXIMATE');
    expect(r.provenance.source).toMatchObject({ epsg: 2414 });
    const report = await file({ geometry: siteOf(r), name: '北京54来源', use: '工业', stockFirst: STOCK, provenance: r.provenance });
    expect(report.provenance!.sourceCheck.status).toBe('matched');
    expect(report.provenance!.verification).toMatchObject({ verified: true });
    const same = await points(report.id, '?zone=38');
    expect(same.from).toBe('source');
    expect(same.file.attrs['坐标系']).toBe('1954北京坐标系');
    expect(same.file.attrs['位置说明']).toContain('近似位置');
    expectSamePoints(same.file, csPoints(2414), 0.001);
    // without the prefix: the numbers it was placed from, by the projection it was placed with
    const bare = await points(report.id, '?zone=38&prefix=false');
    expectSamePoints(bare.file, csPoints(2414), 0.001, 38_000_000);
    expect(bare.from).toBe('placement');
    expect(bare.file.attrs['坐标系']).toBe('1954北京坐标系');
    // zone 39 on Beijing 1954: as cs2cs takes EPSG:2414 to EPSG:2415 (Krassowsky's ellipsoid both ways)
    const next = await points(report.id, '?zone=39');
    // the numbers first (before, 6.6 m off: the placement's GRS80 definition moved to zone 39)
    expectSamePoints(next.file, csPoints('2414-to-2415'), 0.001);
    expect(next.from).toBe('local-ellipsoid');
    expect(next.file.attrs['坐标系']).toBe('1954北京坐标系');
    expect(next.file.attrs['带号']).toBe('39');
    // CGCS2000 it has not
    const cgcs = await app.inject({ method: 'GET', url: `/api/site-checks/${report.id}/boundary-points.txt?zone=38&datum=cgcs2000` });
    expect(cgcs.statusCode).toBe(422);
    expect(cgcs.json().error.code).toBe('DATUM_APPROXIMATE');
    // the Excel export prints the accepted approximate placement in red
    const sheet = await provenanceSheet(report.id);
    expect(sheet.kv.get('大地基准')).toBe('1954北京坐标系');
    const red = sheet.rows.filter((row) => row.getCell(2).font?.color?.argb === 'FFC92A2A').map((row) => String(row.getCell(2).value));
    expect(red.some((v) => v.includes('DATUM_APPROXIMATE'))).toBe(true);
    expect(red.some((v) => v.startsWith('未经转换参数，按近似位置放置'))).toBe(true);
  });

  it('writes an approximate Beijing 1954 site whose source coordinates were dropped from the placement: its own numbers in its zone, Krassowsky’s in another (cs2cs)', async () => {
    const r = await parsed('site-beijing54-zone38.txt', '?acceptApproximateDatum=true');
    const geometry = siteOf(r) as { type: 'Polygon'; coordinates: number[][][] };
    const moved = structuredClone(geometry);
    moved.coordinates[0]![2]![0]! += 0.00001;
    // edited on the map: the source coordinates are dropped; re-checked from that report with the file's own shape
    const edited = await file({ geometry: moved, use: '工业', stockFirst: STOCK, provenance: { ...r.provenance, edited: true } });
    expect(edited.provenance).toMatchObject({ source: null, sourceCheck: { status: 'dropped' } });
    const { sourceCheck: _c, verification: _v, ...filed } = edited.provenance!;
    const report = await file({ geometry, use: '工业', stockFirst: STOCK, provenance: { ...filed, edited: true } });
    expect(report.provenance).toMatchObject({ source: null, confirmed: { datum: 'beijing54', datumTransform: 'approximate' }, verification: { verified: true } });
    const same = await points(report.id, '?zone=38');
    // the numbers first (before, 68 m off: the lon/lat projected on Krassowsky's ellipsoid)
    expectSamePoints(same.file, csPoints(2414), 0.001);
    expect(same.from).toBe('placement');
    expect(same.file.attrs['坐标系']).toBe('1954北京坐标系');
    expect(same.file.attrs['位置说明']).toContain('近似位置');
    const bare = await points(report.id, '?zone=38&prefix=false');
    expectSamePoints(bare.file, csPoints(2414), 0.001, 38_000_000);
    const next = await points(report.id, '?zone=39');
    expectSamePoints(next.file, csPoints('2414-to-2415'), 0.001);
    expect(next.from).toBe('local-ellipsoid');
    expect(next.file.attrs['坐标系']).toBe('1954北京坐标系');
    const cgcs = await app.inject({ method: 'GET', url: `/api/site-checks/${report.id}/boundary-points.txt?zone=38&datum=cgcs2000` });
    expect(cgcs.statusCode).toBe(422);
    expect(cgcs.json().error.code).toBe('DATUM_APPROXIMATE');
  });

  it('writes a site from a file on a datum the product does not know (accepted as approximate) under the file’s own 坐标系, and refuses CGCS2000 and other zones for it', async () => {
    const refused = await parse('site-unknown-zone38.txt');
    expect(refused.statusCode).toBe(422);
    const r = await parsed('site-unknown-zone38.txt', '?acceptApproximateDatum=true');
    expect(r.provenance.confirmed).toMatchObject({ datum: 'other', datumTransform: 'approximate', zone: 38 });
    expect(r.provenance.warnings.map((w) => w.code)).toContain('DATUM_APPROXIMATE');
    const report = await file({ geometry: siteOf(r), use: '工业', stockFirst: STOCK, provenance: r.provenance });
    const same = await points(report.id, '?zone=38');
    expect(same.file.attrs['坐标系']).toBe('1990开封城建坐标系');
    expect(same.file.attrs['位置说明']).toContain('近似位置');
    // the numbers of the file (cs2cs made them as CGCS2000 zone 38)
    expectSamePoints(same.file, csPoints(4526), 0.001);
    const bare = await points(report.id, '?zone=38&prefix=false');
    expect(bare.file.attrs['坐标系']).toBe('1990开封城建坐标系');
    expectSamePoints(bare.file, csPoints(4526), 0.001, 38_000_000);
    const cgcs = await app.inject({ method: 'GET', url: `/api/site-checks/${report.id}/boundary-points.txt?zone=38&datum=cgcs2000` });
    expect(cgcs.statusCode).toBe(422);
    expect(cgcs.json().error.code).toBe('DATUM_APPROXIMATE');
    expect(cgcs.json().error.message).toContain('1990开封城建坐标系');
    const other = await app.inject({ method: 'GET', url: `/api/site-checks/${report.id}/boundary-points.txt?zone=39` });
    expect(other.statusCode).toBe(422);
    expect(other.json().error.code).toBe('DATUM_UNKNOWN');
    expect(other.json().error.message).toContain('38 带');
  });

  it('refuses a Beijing 1954 file without shift parameters until the planner accepts an approximate placement (the parser’s datum policy)', async () => {
    const refused = await parse('site-beijing54-zone38.txt');
    expect(refused.statusCode).toBe(422);
    expect(refused.json().error.code).toBe('DATUM_NEEDS_TRANSFORM');
    expect(refused.json().error.message).toMatch(/1954/);
    const accepted = await parsed('site-beijing54-zone38.txt', '?acceptApproximateDatum=true');
    expect(accepted.detected.datumTransform).toBe('approximate');
    expect(accepted.provenance.warnings.map((w) => w.code)).toContain('DATUM_APPROXIMATE');
    expect(accepted.provenance.overrides.acceptApproximateDatum).toBe(true);
    // the detection without the acceptance is the same file: Beijing 1954, zone 38
    expect(accepted.provenance.detected).toMatchObject({ datum: 'beijing54', zone: 38 });
    expect(accepted.provenance.source?.epsg).toBe(2414);
  });
});

function crsOf(d: ParseResponse['detected']) {
  const { format: _f, ...rest } = d;
  return rest;
}
