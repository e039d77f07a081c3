/**
 * Replacing a control layer by import, and restoring a version (图层导入与版本恢复), on a
 * seeded database of the suite's backend that no other file shares: the check's summary
 * (counts, area, extent, fields read, problems by feature), the atomic replacement with the
 * old version archived as a table of its own, what is served before and after (features, tiles, data version), an
 * import that fails half-way or is cancelled leaving the previous version served untouched,
 * and a restore that brings back exactly the features that were there.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { LayerJob, ManagedLayerList, type ManagedLayer } from '../../core/contracts/layer-admin.ts';
import { ellipsoidalArea, type AreaGeometry } from '../../core/ellipsoidal-area.ts';
import { buildApp } from '../../server/src/app.ts';
import type { Database } from '../../server/src/db/database.ts';
import { backend } from '../helpers/backend.ts';
import { openPrivateDatabase } from '../helpers/db.ts';
import { tileOf } from '../helpers/mvt.ts';
import { actAs } from '../helpers/session.ts';
import type { JobStep } from '../../server/src/modules/layer-admin/service.ts';

function multipart(filename: string, content: string) {
  const boundary = '----yizhangtu-layer-boundary';
  const payload = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: application/octet-stream\r\n\r\n`),
    Buffer.from(content),
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return { payload, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

type Polygon = { type: 'Polygon'; coordinates: number[][][] };
const square = (lon: number, lat: number, d: number): Polygon => ({
  type: 'Polygon',
  coordinates: [[[lon, lat], [lon + d, lat], [lon + d, lat + d], [lon, lat + d], [lon, lat]]],
});
const feature = (geometry: object, properties: Record<string, unknown>) => ({ type: 'Feature', properties, geometry });

describe(`control-layer import and restore (${backend})`, () => {
  let app: FastifyInstance;
  let db: Database;
  let close: () => Promise<void>;
  /** A point inside the largest county, and the county's code. */
  let here: { lon: number; lat: number; county: string };
  /** The urban boundary as seeded. */
  let original: { codes: string[]; areaM2: number; fingerprint: string; count: number };

  const fingerprint = async () => {
    const [r] = await db.query<{ codes: string[]; area: number; fp: string; n: number }>(
      `SELECT array_agg(code ORDER BY code) AS codes, sum(area_m2 ORDER BY code) AS area, count(*)::int AS n,
              md5(string_agg(code || ':' || county_code || ':' || name || ':' || source || ':' || vintage || ':' || area_m2::text || ':' || encode(ST_AsBinary(geom), 'hex'), ',' ORDER BY code)) AS fp
         FROM urban_boundary`,
    );
    return { codes: r!.codes ?? [], areaM2: Number(r!.area ?? 0), fingerprint: r!.fp, count: r!.n };
  };

  const layers = async (): Promise<Record<string, ManagedLayer>> => {
    const res = await app.inject({ method: 'GET', url: '/api/admin/layers' });
    expect(res.statusCode, res.body).toBe(200);
    return Object.fromEntries(ManagedLayerList.parse(res.json()).layers.map((l) => [l.layer, l]));
  };

  const job = async (id: string) => {
    const res = await app.inject({ method: 'GET', url: `/api/admin/layer-jobs/${id}` });
    expect(res.statusCode, res.body).toBe(200);
    return LayerJob.parse(res.json());
  };

  /** Polls a job until it reaches one of `phases`; answers the job and every phase seen. */
  const until = async (id: string, phases: string[]) => {
    const seen: string[] = [];
    for (let i = 0; i < 6000; i++) {
      const j = await job(id);
      if (seen.at(-1) !== j.phase) seen.push(j.phase);
      if (phases.includes(j.phase)) return { job: j, seen };
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error(`job ${id} never reached ${phases.join('/')}`);
  };

  const upload = async (fc: object, qs = '', name = '城镇开发边界.geojson') => {
    const res = await app.inject({ method: 'POST', url: `/api/admin/layers/urban-boundary/imports${qs}`, ...multipart(name, JSON.stringify(fc)) });
    expect(res.statusCode, res.body).toBe(202);
    return LayerJob.parse(res.json());
  };

  /**
   * The tile over the test point as served once the server has seen the current data version
   * (it reads the versions at most a second old): status, ETag and a hash of the bytes.
   */
  const tile = async () => {
    const [z, x, y] = tileOf(here.lon, here.lat, 10);
    const version = await versionOf();
    for (let i = 0; ; i++) {
      const res = await app.inject({ method: 'GET', url: `/tiles/urban-boundary/${z}/${x}/${y}.mvt` });
      const etag = String(res.headers.etag);
      if (etag.includes(`-v${version}-`) || i >= 30) return { status: res.statusCode, etag, body: createHash('sha1').update(res.rawPayload).digest('hex') };
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  /** Rows of an archived version's table in layer_store (null when there is none). */
  const archivedRows = async (n: number) => {
    const [t] = await db.query<{ ok: boolean }>(`SELECT to_regclass('layer_store.urban_boundary_v${n}') IS NOT NULL AS ok`);
    if (!t!.ok) return null;
    return (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM layer_store.urban_boundary_v${n}`))[0]!.n;
  };

  /** Rows of the table a job builds its new version in (null when there is none). */
  const builtRows = async (jobId: string) => {
    const name = `layer_store.build_${jobId.replace(/-/g, '')}`;
    const [t] = await db.query<{ ok: boolean }>('SELECT to_regclass($1) IS NOT NULL AS ok', [name]);
    if (!t!.ok) return null;
    return (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${name}`))[0]!.n;
  };

  /** Held before a step of a job when set (the job waits for the promise). */
  let hold: ((jobId: string, step: JobStep) => Promise<void> | void) | null = null;

  const versionOf = async () => (await db.query<{ version: number }>(`SELECT version FROM data_version WHERE layer = 'urban-boundary'`))[0]!.version;

  beforeAll(async () => {
    ({ db, close } = await openPrivateDatabase());
    app = await buildApp({ db, layerJobs: { beforeStep: (id, step) => hold?.(id, step) } });
    await actAs(app, db, 'admin', '测试管理员');
    const [p] = await db.query<{ lon: number; lat: number; code: string }>(
      `SELECT ST_X(p) AS lon, ST_Y(p) AS lat, code FROM (SELECT code, ST_PointOnSurface(geom) AS p FROM admin_county ORDER BY area_m2 DESC LIMIT 1) s`,
    );
    here = { lon: Number(p!.lon), lat: Number(p!.lat), county: p!.code };
    original = await fingerprint();
    expect(original.count).toBeGreaterThan(0);
  });
  afterAll(async () => {
    await app?.close();
    await close?.();
  });

  it('lists every importable layer with the data it was seeded with as version 1', async () => {
    const all = await layers();
    expect(Object.keys(all).sort()).toEqual(['admin-county', 'eco-redline', 'general-farmland', 'permanent-farmland', 'purple-line', 'stock-parcel', 'township', 'urban-boundary', 'village']);
    const ub = all['urban-boundary']!;
    expect(ub.active.versionNo).toBe(1);
    expect(ub.versions).toHaveLength(1);
    expect(ub.active.featureCount).toBe(original.count);
    expect(ub.active.area.m2).toBeCloseTo(original.areaM2, 3);
    const [n] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM permanent_farmland');
    expect(all['permanent-farmland']!.active.featureCount).toBe(n!.n);
  });

  it('refuses what is not an importable layer, a missing file and an unreadable one, naming the problem', async () => {
    const notLayer = await app.inject({ method: 'POST', url: '/api/admin/layers/encroachment/imports', ...multipart('a.geojson', '{}') });
    expect(notLayer.statusCode).toBe(400);
    expect(notLayer.json().error.message).toContain('图层只能是');
    const noFile = await app.inject({ method: 'POST', url: '/api/admin/layers/urban-boundary/imports', payload: { x: 1 } });
    expect(noFile.statusCode).toBe(415);
    const garbage = await app.inject({ method: 'POST', url: '/api/admin/layers/urban-boundary/imports', ...multipart('a.geojson', '{"type": "FeatureCollection", "features": [') });
    expect(garbage.statusCode).toBe(422);
    expect(garbage.json().error.message).toMatch(/无法导入|无法读取/);
    // a Beijing 1954 layer (made by GDAL) without shift parameters is not imported as CGCS2000
    const bj54 = readFileSync(new URL('../fixtures/crs/geojson/epsg-2414.geojson', import.meta.url), 'utf8');
    const local = await app.inject({ method: 'POST', url: '/api/admin/layers/urban-boundary/imports', ...multipart('bj54.geojson', bj54) });
    expect(local.statusCode).toBe(422);
    expect(local.json().error.code).toBe('DATUM_NEEDS_TRANSFORM');
    const badAccept = await app.inject({ method: 'POST', url: '/api/admin/layers/urban-boundary/imports?acceptApproximateDatum=1', ...multipart('bj54.geojson', bj54) });
    expect(badAccept.statusCode).toBe(400);
    const accept = await app.inject({ method: 'POST', url: '/api/admin/layers/urban-boundary/imports?acceptApproximateDatum=true', ...multipart('bj54.geojson', bj54) });
    expect(accept.statusCode).toBe(400);
    expect(accept.json().error.code).toBe('APPROXIMATE_NOT_FOR_IMPORT');
  });

  it('checks a file without writing, then replaces the layer as version 2 with the old one archived', async () => {
    const { lon, lat } = here;
    const good = [0, 1, 2].map((i) => square(lon + i * 0.01, lat, 0.005));
    const bowtie: Polygon = { type: 'Polygon', coordinates: [[[lon, lat + 0.02], [lon + 0.005, lat + 0.025], [lon + 0.005, lat + 0.02], [lon, lat + 0.025], [lon, lat + 0.02]]] };
    const fc = {
      type: 'FeatureCollection',
      features: [
        feature(good[0]!, { BSM: 'UB-NEW-1', MC: '新城区边界', XZQDM: `${here.county}001` }),
        feature(good[1]!, { BSM: 'UB-NEW-2', MC: '产业园边界' }),
        feature(good[2]!, { BSM: 'UB-NEW-3' }),
        feature(bowtie, { BSM: 'UB-BAD' }),
        feature(square(120, 30, 0.01), { BSM: 'UB-FAR' }), // far outside Kaifeng
        feature(square(lon + 0.05, lat, 0.005), { BSM: 'UB-NEW-1' }), // a repeated code
      ],
    };
    const versionBefore = await versionOf();
    const started = await upload(fc);
    expect(started.kind).toBe('import');
    const { job: ready } = await until(started.jobId, ['ready', 'failed']);
    expect(ready.phase, JSON.stringify(ready.error)).toBe('ready');
    expect(ready.progress).toBe(1);
    const s = ready.summary!;
    expect(s.rows).toBe(6);
    expect(s.featureCount).toBe(3);
    expect(s.fields.code).toBe('BSM');
    expect(s.fields.name).toBe('MC');
    expect(s.fields.county_code).toBe('XZQDM');
    const expectedM2 = good.reduce((t, g) => t + ellipsoidalArea(g as AreaGeometry), 0);
    expect(s.area.m2).toBeCloseTo(expectedM2, 3);
    expect(s.bbox![0]).toBeCloseTo(lon, 9);
    expect(s.bbox![2]).toBeCloseTo(lon + 0.025, 9);
    const reasons = Object.fromEntries(s.problems.map((p) => [p.row, p.reasons.map((r) => r.code)]));
    expect(reasons).toEqual({ 4: ['INVALID_GEOMETRY'], 5: ['OUTSIDE_COUNTIES'], 6: ['CODE_REPEATED'] });
    expect(s.problems.every((p) => p.outcome === 'excluded')).toBe(true);
    expect(s.problems.find((p) => p.row === 4)!.reasons[0]!.zh).toMatch(/^图形无效：边界自相交（位置：东经 [0-9.]+°，北纬 [0-9.]+°）$/);
    expect(s.replaces).toMatchObject({ versionNo: 1, featureCount: original.count });
    // the check wrote nothing
    expect((await fingerprint()).fingerprint).toBe(original.fingerprint);
    expect(await versionOf()).toBe(versionBefore);
    const tileBefore = await tile();
    expect(tileBefore.status).toBe(200);

    const commit = await app.inject({ method: 'POST', url: `/api/admin/layer-jobs/${started.jobId}/commit`, payload: { note: '2026 年批复调整' } });
    expect(commit.statusCode, commit.body).toBe(202);
    const { job: done, seen } = await until(started.jobId, ['done', 'failed', 'cancelled']);
    expect(done.phase, JSON.stringify(done.error)).toBe('done');
    expect(seen.at(-1)).toBe('done');
    expect(done.versionNo).toBe(2);

    const now = await fingerprint();
    expect(now.codes).toEqual(['UB-NEW-1', 'UB-NEW-2', 'UB-NEW-3']);
    expect(now.areaM2).toBeCloseTo(expectedM2, 3);
    const rows = await db.query<{ code: string; county_code: string; name: string; source: string }>('SELECT code, county_code, name, source FROM urban_boundary ORDER BY code');
    expect(rows[0]).toMatchObject({ code: 'UB-NEW-1', county_code: here.county, name: '新城区边界', source: '城镇开发边界.geojson' });
    expect(rows[2]!.county_code).toBe(here.county); // from the geometry
    expect(await versionOf()).toBeGreaterThan(versionBefore);
    const tileAfter = await tile();
    expect(tileAfter.status).toBe(200);
    expect(tileAfter.etag).not.toBe(tileBefore.etag);
    expect(tileAfter.body).not.toBe(tileBefore.body);

    const ub = (await layers())['urban-boundary']!;
    expect(ub.active).toMatchObject({ versionNo: 2, featureCount: 3, fileName: '城镇开发边界.geojson', createdBy: '测试管理员', note: '2026 年批复调整' });
    expect(ub.versions.map((v) => [v.versionNo, v.state])).toEqual([
      [2, 'active'],
      [1, 'archived'],
    ]);
    expect(await archivedRows(1)).toBe(original.count);
    // the served table kept its data-version trigger (a change bumps the version) and the archived one has none
    const bumped = await versionOf();
    await db.query(`UPDATE urban_boundary SET name = name WHERE code = 'UB-NEW-1'`);
    expect(await versionOf()).toBe(bumped + 1);
    const triggers = await db.query<{ relname: string; nspname: string }>(
      `SELECT c.relname, n.nspname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE t.tgname = 'urban_boundary_data_version'`,
    );
    expect(triggers).toEqual([{ relname: 'urban_boundary', nspname: 'public' }]);
    // the staged rows are gone with the job
    expect((await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'layer_store' AND tablename LIKE 'stage_%'`))[0]!.n).toBe(0);
    const log = await app.inject({ method: 'GET', url: '/api/admin/audit-log?action=layer-import' });
    expect(log.json().entries[0]).toMatchObject({ action: 'layer-import', target: 'urban-boundary', details: { versionNo: 2, replaced: 1, features: 3, excluded: 3 } });
  });

  it('restores version 1 exactly as it was, and keeps version 2 restorable', async () => {
    const versionBefore = await versionOf();
    const res = await app.inject({ method: 'POST', url: '/api/admin/layers/urban-boundary/versions/1/restore', payload: {} });
    expect(res.statusCode, res.body).toBe(202);
    const { job: done } = await until(res.json().jobId, ['done', 'failed']);
    expect(done.phase, JSON.stringify(done.error)).toBe('done');
    expect(done.versionNo).toBe(1);
    expect(await fingerprint()).toEqual(original);
    expect(await versionOf()).toBeGreaterThan(versionBefore);
    const ub = (await layers())['urban-boundary']!;
    expect(ub.active.versionNo).toBe(1);
    expect(ub.versions.map((v) => [v.versionNo, v.state])).toEqual([
      [2, 'archived'],
      [1, 'active'],
    ]);
    expect(await archivedRows(2)).toBe(3);
    expect(await archivedRows(1)).toBeNull(); // it is the served table again
    // the active version cannot be restored; a version that does not exist is a 404
    expect((await app.inject({ method: 'POST', url: '/api/admin/layers/urban-boundary/versions/1/restore', payload: {} })).statusCode).toBe(409);
    const none = await app.inject({ method: 'POST', url: '/api/admin/layers/urban-boundary/versions/9/restore', payload: {} });
    expect(none.statusCode).toBe(404);
    expect(none.json().error.message).toContain('没有第 9 版');
  });

  /** 2 500 small squares near the point: three batches of writes. */
  const manySquares = (failAt?: number) => ({
    type: 'FeatureCollection',
    features: Array.from({ length: 2500 }, (_, i) =>
      feature(square(here.lon + (i % 50) * 0.0004, here.lat + Math.floor(i / 50) * 0.0004, 0.0002), { BSM: i + 1 === failAt ? 'FAIL-HERE' : `UB-MANY-${i + 1}` }),
    ),
  });

  it('leaves the previous version intact and served when the replacement fails half-way', async () => {
    // the database refuses one row while the new version is written (a constraint of the layer's
    // table, which the new version's table takes over)
    await db.query(`CREATE FUNCTION refuse_fail_here(code text) RETURNS boolean LANGUAGE plpgsql IMMUTABLE AS $$
      BEGIN IF code = 'FAIL-HERE' THEN RAISE EXCEPTION 'disk full while writing %', code; END IF; RETURN true; END $$`);
    await db.query('ALTER TABLE urban_boundary ADD CONSTRAINT refuse_fail_here CHECK (refuse_fail_here(code)) NOT VALID');
    try {
      const before = await fingerprint();
      const versionBefore = await versionOf();
      const tileBefore = await tile();
      const started = await upload(manySquares(2300));
      const { job: ready } = await until(started.jobId, ['ready', 'failed']);
      expect(ready.summary!.featureCount).toBe(2500);
      await app.inject({ method: 'POST', url: `/api/admin/layer-jobs/${started.jobId}/commit`, payload: {} });
      const { job: failed } = await until(started.jobId, ['done', 'failed']);
      expect(failed.phase).toBe('failed');
      expect(failed.error!.message).toContain('仍为原版本');
      expect(failed.error!.message).toContain('disk full');
      expect(await fingerprint()).toEqual(before);
      expect(await versionOf()).toBe(versionBefore);
      expect(await tile()).toEqual(tileBefore);
      const ub = (await layers())['urban-boundary']!;
      expect(ub.active.versionNo).toBe(1);
      expect(ub.versions).toHaveLength(2);
      expect(await archivedRows(1)).toBeNull();
      expect(await builtRows(started.jobId)).toBeNull(); // what was built is dropped
      const features = await app.inject({ method: 'GET', url: `/api/layers/urban-boundary/features?bbox=${here.lon - 0.5},${here.lat - 0.5},${here.lon + 0.5},${here.lat + 0.5}&limit=5000` });
      expect(features.statusCode).toBe(200);
      expect(features.json().features.some((f: { properties: { code: string } }) => f.properties.code.startsWith('UB-MANY-'))).toBe(false);
      const log = await app.inject({ method: 'GET', url: '/api/admin/audit-log?action=layer-import-failed' });
      expect(log.json().entries[0]).toMatchObject({ target: 'urban-boundary' });
    } finally {
      await db.query('ALTER TABLE urban_boundary DROP CONSTRAINT refuse_fail_here');
      await db.query('DROP FUNCTION refuse_fail_here(text)');
    }
  });

  it('rolls a replacement back when it is cancelled while writing, and drops a check cancelled before confirming', async () => {
    const before = await fingerprint();
    const versionBefore = await versionOf();
    const first = await upload(manySquares());
    const { job: ready } = await until(first.jobId, ['ready', 'failed']);
    expect(ready.phase, JSON.stringify(ready.error)).toBe('ready');
    // held once the new version is written, just before the swap: cancelled there
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let reached!: () => void;
    const atSwap = new Promise<void>((r) => (reached = r));
    hold = async (id, step) => {
      if (id === first.jobId && step === 'swap') {
        reached();
        await held;
      }
    };
    try {
      const commit = await app.inject({ method: 'POST', url: `/api/admin/layer-jobs/${first.jobId}/commit`, payload: {} });
      expect(commit.statusCode, commit.body).toBe(202);
      await atSwap;
      expect(await builtRows(first.jobId)).toBe(2500); // built beside the served version, not served
      expect(await fingerprint()).toEqual(before);
      const cancel = await app.inject({ method: 'POST', url: `/api/admin/layer-jobs/${first.jobId}/cancel` });
      expect(cancel.statusCode, cancel.body).toBe(200);
      release();
      const { job: cancelled } = await until(first.jobId, ['cancelled', 'done', 'failed']);
      expect(cancelled.phase).toBe('cancelled');
    } finally {
      hold = null;
      release();
    }
    expect(await fingerprint()).toEqual(before);
    expect(await versionOf()).toBe(versionBefore);
    expect((await layers())['urban-boundary']!.versions).toHaveLength(2);
    expect(await builtRows(first.jobId)).toBeNull(); // what was built is dropped
    const again = await app.inject({ method: 'POST', url: `/api/admin/layer-jobs/${first.jobId}/commit`, payload: {} });
    expect(again.statusCode).toBe(409);
    expect(again.json().error.message).toBe('任务处于“已取消”阶段，不能确认替换');
    const log = await app.inject({ method: 'GET', url: '/api/admin/audit-log?action=layer-import-cancelled' });
    expect(log.json().entries[0]).toMatchObject({ target: 'urban-boundary' });

    // over HTTP: a check cancelled before it is confirmed cannot be confirmed afterwards
    const second = await upload(manySquares());
    await until(second.jobId, ['ready']);
    const drop = await app.inject({ method: 'POST', url: `/api/admin/layer-jobs/${second.jobId}/cancel` });
    expect(drop.statusCode, drop.body).toBe(200);
    expect(drop.json().phase).toBe('cancelled');
    const late = await app.inject({ method: 'POST', url: `/api/admin/layer-jobs/${second.jobId}/commit`, payload: {} });
    expect(late.statusCode).toBe(409);
    expect(await fingerprint()).toEqual(before);
  });

  it('repairs invalid polygons when asked, and refuses to replace a layer with nothing', async () => {
    const { lon, lat } = here;
    const bowtie: Polygon = { type: 'Polygon', coordinates: [[[lon, lat], [lon + 0.01, lat + 0.01], [lon + 0.01, lat], [lon, lat + 0.01], [lon, lat]]] };
    const repaired = await upload({ type: 'FeatureCollection', features: [feature(bowtie, { BSM: 'UB-FIXED' })] }, '?repair=true');
    const { job: r } = await until(repaired.jobId, ['ready', 'failed']);
    expect(r.summary!.featureCount).toBe(1);
    expect(r.summary!.problems[0]).toMatchObject({ row: 1, outcome: 'repaired' });
    expect(r.summary!.problems[0]!.reasons.map((x) => x.code)).toEqual(['INVALID_GEOMETRY', 'REPAIRED']);
    // two triangles meeting at the centre: half the square
    const squareM2 = ellipsoidalArea(square(lon, lat, 0.01) as AreaGeometry);
    expect(r.summary!.area.m2 / squareM2).toBeCloseTo(0.5, 2);
    await app.inject({ method: 'POST', url: `/api/admin/layer-jobs/${repaired.jobId}/cancel` });

    // a ring that does not close is named by its row (the database would take it and fail on it later)
    const open = square(lon + 0.02, lat, 0.005);
    open.coordinates[0]!.pop();
    const unclosed = await upload({ type: 'FeatureCollection', features: [feature(square(lon, lat, 0.005), { BSM: 'UB-OK' }), feature(open, { BSM: 'UB-OPEN' })] });
    const { job: u } = await until(unclosed.jobId, ['ready', 'failed']);
    expect(u.phase, JSON.stringify(u.error)).toBe('ready');
    expect(u.summary!.featureCount).toBe(1);
    expect(u.summary!.problems.map((p) => [p.row, p.reasons.map((x) => x.code)])).toEqual([[2, ['RING_NOT_CLOSED']]]);
    await app.inject({ method: 'POST', url: `/api/admin/layer-jobs/${unclosed.jobId}/cancel` });

    const empty = await upload({ type: 'FeatureCollection', features: [feature(square(120, 30, 0.01), { BSM: 'FAR' })] });
    const { job: e } = await until(empty.jobId, ['ready', 'failed']);
    expect(e.phase, JSON.stringify(e.error)).toBe('ready');
    expect(e.summary!.featureCount).toBe(0);
    const refused = await app.inject({ method: 'POST', url: `/api/admin/layer-jobs/${empty.jobId}/commit`, payload: {} });
    expect(refused.statusCode).toBe(422);
    expect(refused.json().error.message).toContain('没有可导入的要素');
  });

  it('is for administrators only', async () => {
    const other = await buildApp({ db });
    try {
      await actAs(other, db, 'auditor');
      expect((await other.inject({ method: 'GET', url: '/api/admin/layers' })).statusCode).toBe(403);
      const upload = await other.inject({ method: 'POST', url: '/api/admin/layers/urban-boundary/imports', ...multipart('a.geojson', '{}') });
      expect(upload.statusCode).toBe(403);
    } finally {
      await other.close();
    }
  });
});
