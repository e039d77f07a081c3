/**
 * Where an import's rows wait and where a layer's versions live (schema `layer_store`,
 * migration 0013), and the set-wise SQL between them.
 *
 * 1. **Stage.** A job's rows go by COPY into `layer_store.stage_<job>`: a table shaped like the
 *    layer's own (same columns and types, nothing NOT NULL) plus the row's place in the file, the
 *    reasons found while reading its attributes, and the columns the check fills.
 * 2. **Check**, each step one statement over the whole stage: repeated codes; GEOS validity with
 *    its reason and place (decided before any other geometry operation — a GEOS error inside the
 *    embedded database returns no row instead of failing, so every step that must touch each row
 *    is counted); repair by ST_MakeValid when asked; the county holding a point of each polygon;
 *    the summary (count, area, extent, the problems of the first rows).
 * 3. **Build.** The new version is written as a table of its own in layer_store — the served
 *    table is not touched, readers keep reading it — with the served table's constraints, then
 *    its indexes (built after the rows, as a bulk load should).
 * 4. **Swap**, in one short transaction: the served table moves to layer_store under its version
 *    number, the new one moves into its place, its indexes take the served names, the
 *    data-version trigger moves with the name, and the layer's data version is bumped. A
 *    **restore** is the same swap with an archived version's table.
 *
 * Versions archived before migration 0013 sit as rows in `layer_archive`; restoring one first
 * rebuilds its table from those rows (a one-off cost), then swaps.
 */
import type { ImportableLayer } from '../../../../core/contracts/layer-admin.ts';
import { getLayer } from '../../../../core/layers.ts';
import { dataVersionTriggerName, dataVersionTriggerSql } from '../../db/data-version-triggers.ts';
import type { Database, Queryable } from '../../db/database.ts';
import { ident, sqlFile } from '../../db/sql-file.ts';
import { layerColumns } from './fields.ts';

export const STORE_SCHEMA = 'layer_store';

export const tableOf = (layer: ImportableLayer) => ident(getLayer(layer)!.table);

/** The staging table of a job (its id without dashes). */
export const stageTable = (jobId: string) => `${STORE_SCHEMA}.${ident(`stage_${jobId.replace(/-/g, '')}`)}`;

/** The bare name of the table a job builds its new version in (renamed to its version's when it is archived). */
export const buildTableName = (jobId: string) => ident(`build_${jobId.replace(/-/g, '')}`);

/** The bare name of version `n`'s table in layer_store. */
export const versionTableName = (layer: ImportableLayer, n: number) => ident(`${tableOf(layer)}_v${n}`);

/** Whether version `n` of the layer is kept as a table (else, if archived, as rows of layer_archive). */
export async function hasVersionTable(q: Queryable, layer: ImportableLayer, n: number): Promise<boolean> {
  const [r] = await q.query<{ ok: boolean }>('SELECT to_regclass($1) IS NOT NULL AS ok', [`${STORE_SCHEMA}.${versionTableName(layer, n)}`]);
  return r!.ok;
}

/** Rows of a version table. */
export async function countVersionTable(q: Queryable, layer: ImportableLayer, n: number): Promise<number> {
  const [r] = await q.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${STORE_SCHEMA}.${versionTableName(layer, n)}`);
  return r!.n;
}

// ---------------------------------------------------------------------------------------------
// Staging

/** The columns COPY fills, in order: the row's place, the layer's columns, the area, the geometry, what reading found. */
export const stageCopyColumns = (layer: ImportableLayer) => ['row_no', ...layerColumns(layer), 'area_m2', 'geom', 'reasons', 'excluded'];

/** (Re)creates a job's staging table, shaped like the layer's table with every column nullable. */
export async function createStage(db: Database, jobId: string, layer: ImportableLayer): Promise<string> {
  const stage = stageTable(jobId);
  const table = tableOf(layer);
  await db.query(`DROP TABLE IF EXISTS ${stage}`);
  await db.query(`CREATE UNLOGGED TABLE ${stage} (LIKE public.${table} INCLUDING DEFAULTS)`);
  const cols = await db.query<{ column_name: string }>(
    `SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1 AND is_nullable = 'NO'`,
    [table],
  );
  for (const c of cols) await db.query(`ALTER TABLE ${stage} ALTER COLUMN ${ident(c.column_name)} DROP NOT NULL`);
  await db.query(
    `ALTER TABLE ${stage}
       ALTER COLUMN id DROP DEFAULT,
       ADD COLUMN row_no int PRIMARY KEY,
       ADD COLUMN reasons jsonb NOT NULL DEFAULT '[]',
       ADD COLUMN excluded boolean NOT NULL DEFAULT false,
       ADD COLUMN repeat_of int,
       ADD COLUMN valid boolean,
       ADD COLUMN invalid_reason text,
       ADD COLUMN invalid_location text,
       ADD COLUMN repaired boolean NOT NULL DEFAULT false,
       ADD COLUMN repair_failed boolean NOT NULL DEFAULT false,
       ADD COLUMN zero_area boolean NOT NULL DEFAULT false,
       ADD COLUMN outside boolean NOT NULL DEFAULT false,
       ADD COLUMN county_from_geometry boolean NOT NULL DEFAULT false`,
  );
  return stage;
}

export async function dropStage(db: Queryable, jobId: string): Promise<void> {
  await db.query(`DROP TABLE IF EXISTS ${stageTable(jobId)}`);
}

// ---------------------------------------------------------------------------------------------
// The check, set-wise

/** The smallest area a polygon may have (m²): below it, it has none. */
const ZERO_AREA_M2 = 1e-6;

/** What a layer's check assigns from the geometry: the county for layers that carry one, nothing for the counties themselves. */
const placesInCounty = (layer: ImportableLayer) => !(getLayer(layer) as { import?: { codeIsCounty?: boolean } }).import?.codeIsCounty;

/**
 * Runs the check over the staged rows; `step` is told before each step (for progress and
 * cancellation between statements).
 */
export async function checkStage(db: Database, jobId: string, layer: ImportableLayer, opts: { repair: boolean }, step: (name: CheckStep, i: number, n: number) => Promise<void> | void): Promise<void> {
  const stage = stageTable(jobId);
  const steps: [CheckStep, () => Promise<void>][] = [
    [
      'codes',
      async () => {
        await db.query(
          `UPDATE ${stage} s SET repeat_of = f.first_row, excluded = true
             FROM (SELECT row_no, min(row_no) OVER (PARTITION BY code) AS first_row FROM ${stage}) f
            WHERE f.row_no = s.row_no AND f.first_row <> s.row_no`,
        );
      },
    ],
    [
      'validity',
      async () => {
        await db.query(`UPDATE ${stage} SET valid = ST_IsValid(geom) WHERE NOT excluded`);
        const [left] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${stage} WHERE NOT excluded AND valid IS NULL`);
        if (left!.n > 0) throw new Error(`图形检查不完整：${left!.n} 个要素没有得到结果`);
        await db.query(
          `UPDATE ${stage} SET invalid_reason = ST_IsValidReason(geom), invalid_location = ST_AsGeoJSON((ST_IsValidDetail(geom)).location)
            WHERE valid = false`,
        );
      },
    ],
    [
      'repair',
      async () => {
        if (!opts.repair) {
          await db.query(`UPDATE ${stage} SET excluded = true WHERE valid = false`);
          return;
        }
        await db.query(`UPDATE ${stage} SET geom = ST_Multi(ST_CollectionExtract(ST_MakeValid(geom), 3)), repaired = true WHERE valid = false`);
        await db.query(
          `UPDATE ${stage} SET repair_failed = NOT coalesce(ST_IsValid(geom) AND NOT ST_IsEmpty(geom), false),
                  area_m2 = CASE WHEN ST_IsValid(geom) AND NOT ST_IsEmpty(geom) THEN ST_Area(geom::geography) END
            WHERE repaired`,
        );
        await db.query(`UPDATE ${stage} SET excluded = true WHERE repair_failed`);
      },
    ],
    [
      'area',
      async () => {
        await db.query(`UPDATE ${stage} SET zero_area = true, excluded = true WHERE NOT excluded AND NOT (coalesce(area_m2, 0) > ${ZERO_AREA_M2})`);
      },
    ],
    [
      'county',
      async () => {
        if (!placesInCounty(layer)) return;
        await db.query(
          `UPDATE ${stage} s
              SET county_code = (SELECT a.code FROM admin_county a, ST_PointOnSurface(s.geom) p
                                  WHERE a.geom && p AND ST_Intersects(a.geom, p) ORDER BY a.code LIMIT 1),
                  county_from_geometry = true
            WHERE NOT s.excluded AND s.county_code IS NULL`,
        );
        await db.query(`UPDATE ${stage} SET outside = true, excluded = true WHERE NOT excluded AND county_code IS NULL`);
      },
    ],
  ];
  for (let i = 0; i < steps.length; i++) {
    await step(steps[i]![0], i, steps.length);
    await steps[i]![1]();
  }
}

export type CheckStep = 'codes' | 'validity' | 'repair' | 'area' | 'county';

export interface StageFigures {
  rows: number;
  featureCount: number;
  areaM2: number;
  bbox: [number, number, number, number] | null;
  problemCount: number;
}

const PROBLEM = `(jsonb_array_length(reasons) > 0 OR repeat_of IS NOT NULL OR valid = false OR zero_area OR outside)`;

/** The staged rows' figures: rows read, features kept, their area and extent, rows with a problem. */
export async function stageFigures(db: Queryable, jobId: string): Promise<StageFigures> {
  const stage = stageTable(jobId);
  const [r] = await db.query<{ rows: number; kept: number; area: number | null; w: number | null; s: number | null; e: number | null; n: number | null; problems: number }>(
    `SELECT count(*)::int AS rows,
            count(*) FILTER (WHERE NOT excluded)::int AS kept,
            sum(area_m2) FILTER (WHERE NOT excluded) AS area,
            ST_XMin(x.ext) AS w, ST_YMin(x.ext) AS s, ST_XMax(x.ext) AS e, ST_YMax(x.ext) AS n,
            count(*) FILTER (WHERE ${PROBLEM})::int AS problems
       FROM ${stage}, (SELECT ST_Extent(geom)::geometry AS ext FROM ${stage} WHERE NOT excluded) x
      GROUP BY x.ext`,
  );
  if (!r) return { rows: 0, featureCount: 0, areaM2: 0, bbox: null, problemCount: 0 };
  return {
    rows: r.rows,
    featureCount: r.kept,
    areaM2: Number(r.area ?? 0),
    bbox: r.w === null ? null : [Number(r.w), Number(r.s), Number(r.e), Number(r.n)],
    problemCount: r.problems,
  };
}

export interface StagedProblem {
  row_no: number;
  code: string | null;
  excluded: boolean;
  reasons: { code: string; zh: string; en: string }[];
  repeat_of: number | null;
  invalid_reason: string | null;
  invalid_location: string | null;
  valid: boolean | null;
  repaired: boolean;
  repair_failed: boolean;
  zero_area: boolean;
  outside: boolean;
}

/** The first `limit` rows with a problem, in file order. */
export async function stagedProblems(db: Queryable, jobId: string, limit: number): Promise<StagedProblem[]> {
  const rows = await db.query<StagedProblem>(
    `SELECT row_no, code, excluded, reasons, repeat_of, invalid_reason, invalid_location, valid, repaired, repair_failed, zero_area, outside
       FROM ${stageTable(jobId)} WHERE ${PROBLEM} ORDER BY row_no LIMIT $1`,
    [limit],
  );
  return rows.map((r) => ({ ...r, row_no: Number(r.row_no), reasons: typeof r.reasons === 'string' ? JSON.parse(r.reasons) : r.reasons }));
}

// ---------------------------------------------------------------------------------------------
// Building a version table

interface IndexDef {
  name: string;
  def: string;
}

/** A table's indexes (name and definition), primary key first, then by name. */
async function indexesOf(q: Queryable, schema: string, table: string): Promise<(IndexDef & { primary: boolean })[]> {
  const rows = await q.query<{ name: string; def: string; primary: boolean }>(
    `SELECT i.relname AS name, pg_get_indexdef(x.indexrelid) AS def, x.indisprimary AS primary
       FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid JOIN pg_namespace n ON n.oid = t.relnamespace
      WHERE n.nspname = $1 AND t.relname = $2
      ORDER BY x.indisprimary DESC, i.relname`,
    [schema, table],
  );
  return rows;
}

/** An index definition without its name and table: what two tables' indexes are compared by. */
const shapeOf = (def: string) => def.replace(/^CREATE (UNIQUE )?INDEX \S+ ON \S+ /, 'CREATE $1INDEX ON ');

/** A name for an index of an archived version (unique in layer_store, at most 63 bytes). */
const archivedIndexName = (name: string, n: number) => {
  const suffix = `_v${n}`;
  return ident((name.length + suffix.length > 63 ? name.slice(0, 63 - suffix.length) : name) + suffix);
};

/**
 * Writes the staged rows that passed into the job's own new table `layer_store.build_<job>` with
 * the served table's columns, defaults (ids from the layer's sequence) and constraints, then its
 * primary key and indexes; answers the rows written. `tick` is called between statements. The
 * table is the job's alone (two imports of one layer never share one); the swap serves it.
 */
export async function buildVersionTable(db: Database, layer: ImportableLayer, jobId: string, tick: (i: number, total: number) => void): Promise<number> {
  const table = tableOf(layer);
  const build = buildTableName(jobId);
  const target = `${STORE_SCHEMA}.${build}`;
  const columns = [...layerColumns(layer), 'area_m2', 'geom'].map(ident).join(', ');
  const served = await indexesOf(db, 'public', table);
  const total = 2 + served.length;
  tick(0, total);
  await db.query(`DROP TABLE IF EXISTS ${target}`);
  await db.query(`CREATE TABLE ${target} (LIKE public.${table} INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING GENERATED)`);
  // rows in spatial order (PostGIS sorts geometries along a Hilbert curve): neighbours share pages, which tiles and overlays read together
  const [w] = await db.query<{ n: number }>(
    `WITH ins AS (INSERT INTO ${target} (${columns}) SELECT ${columns} FROM ${stageTable(jobId)} WHERE NOT excluded ORDER BY geom, row_no RETURNING 1)
     SELECT count(*)::int AS n FROM ins`,
  );
  tick(1, total);
  let i = 0;
  for (const idx of served) {
    const name = ident(`${build}_i${i++}`);
    if (idx.primary) await db.query(`ALTER TABLE ${target} ADD CONSTRAINT ${name} PRIMARY KEY (id)`);
    else await db.query(idx.def.replace(/^CREATE (UNIQUE )?INDEX \S+ ON \S+ /, `CREATE $1INDEX ${name} ON ${target} `));
    tick(1 + i, total);
  }
  await db.query(`ANALYZE ${target}`);
  tick(total, total);
  return w!.n;
}

export async function dropBuildTable(db: Queryable, jobId: string): Promise<void> {
  await db.query(`DROP TABLE IF EXISTS ${STORE_SCHEMA}.${buildTableName(jobId)}`);
}

/**
 * Rebuilds version `n`'s table from its rows in layer_archive (versions archived before
 * migration 0013), ready to be swapped in; answers the rows written.
 */
export async function materialiseArchived(db: Database, layer: ImportableLayer, n: number): Promise<number> {
  const table = tableOf(layer);
  const target = `${STORE_SCHEMA}.${versionTableName(layer, n)}`;
  const columns = layerColumns(layer);
  const served = await indexesOf(db, 'public', table);
  await db.query(`DROP TABLE IF EXISTS ${target}`);
  await db.query(`CREATE TABLE ${target} (LIKE public.${table} INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING GENERATED)`);
  const sql = sqlFile(new URL('./sql/restore.sql', import.meta.url), {
    table: target,
    columns: columns.join(', '),
    // versions archived before migration 0020 have no 入库日期: their approval date, else today
    rColumns: columns.map((c) => (c === 'recorded_on' ? 'COALESCE(r.recorded_on, r.approval_date, CURRENT_DATE)' : `r.${c}`)).join(', '),
    rowType: `public.${table}`,
  });
  const [r] = await db.query<{ n: number }>(sql, [layer, n]);
  let i = 0;
  for (const idx of served) {
    const name = ident(`${table}_v${n}_i${i++}`);
    if (idx.primary) await db.query(`ALTER TABLE ${target} ADD CONSTRAINT ${name} PRIMARY KEY (id)`);
    else await db.query(idx.def.replace(/^CREATE (UNIQUE )?INDEX \S+ ON \S+ /, `CREATE $1INDEX ${name} ON ${target} `));
  }
  return r!.n;
}

// ---------------------------------------------------------------------------------------------
// The swap

/** How long the swap waits for readers to let go of the served table before it gives up (and the job is retried). */
const SWAP_LOCK_TIMEOUT = '15s';

/**
 * Inside the caller's transaction: archives the served table as version `servedNo` and serves
 * the layer_store table `incomingTable` (a job's build, or an archived version's) in its place, with the served table's index names and
 * data-version trigger; bumps the layer's data version. Takes the served table's exclusive lock
 * for the few statements it needs (readers wait milliseconds, then read the new version).
 */
export async function swapIn(tx: Queryable, layer: ImportableLayer, servedNo: number, incomingTable: string): Promise<void> {
  const table = tableOf(layer);
  const def = getLayer(layer)!;
  const archived = versionTableName(layer, servedNo);
  const incoming = ident(incomingTable);
  await tx.query(`SET LOCAL lock_timeout = '${SWAP_LOCK_TIMEOUT}'`);
  await tx.query(`LOCK TABLE public.${table} IN ACCESS EXCLUSIVE MODE`);
  const [exists] = await tx.query<{ ok: boolean }>('SELECT to_regclass($1) IS NOT NULL AS ok', [`${STORE_SCHEMA}.${incoming}`]);
  if (!exists!.ok) throw new Error(`新版本的数据表 ${incoming} 不存在`);
  const servedIdx = await indexesOf(tx, 'public', table);
  const incomingIdx = await indexesOf(tx, STORE_SCHEMA, incoming);
  // the served table leaves, its indexes renamed for the archive
  for (const idx of servedIdx) await tx.query(`ALTER INDEX public.${ident(idx.name)} RENAME TO ${archivedIndexName(idx.name, servedNo)}`);
  await tx.query(`DROP TRIGGER IF EXISTS ${ident(dataVersionTriggerName(def))} ON public.${table}`);
  await tx.query(`ALTER TABLE public.${table} SET SCHEMA ${STORE_SCHEMA}`);
  await tx.query(`ALTER TABLE ${STORE_SCHEMA}.${table} RENAME TO ${archived}`);
  // the incoming one takes its place and its names
  await tx.query(`ALTER TABLE ${STORE_SCHEMA}.${incoming} RENAME TO ${table}`);
  await tx.query(`ALTER TABLE ${STORE_SCHEMA}.${table} SET SCHEMA public`);
  const nameByShape = new Map(servedIdx.map((i) => [i.primary ? 'PRIMARY' : shapeOf(i.def), i.name]));
  for (const idx of incomingIdx) {
    const name = nameByShape.get(idx.primary ? 'PRIMARY' : shapeOf(idx.def));
    if (name && name !== idx.name) {
      nameByShape.delete(idx.primary ? 'PRIMARY' : shapeOf(idx.def));
      await tx.query(`ALTER INDEX public.${ident(idx.name)} RENAME TO ${ident(name)}`);
    }
  }
  await tx.query(dataVersionTriggerSql(def));
  await tx.query(
    `INSERT INTO data_version AS dv (layer, version, updated_at) VALUES ($1, 1, now())
     ON CONFLICT (layer) DO UPDATE SET version = dv.version + 1, updated_at = now()`,
    [layer],
  );
}
