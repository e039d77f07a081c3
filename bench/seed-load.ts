/**
 * `npm run bench:seed-load [-- --scale city --runs 1]`: loading a dataset into
 * PostGIS (BENCH_DATABASE_URL, else DATABASE_URL, else the local server).
 *
 * Each run uses a fresh database and measures
 *  - end to end: `loadDataset` (generate, COPY, constraints, indexes, ANALYZE), as `npm run seed` does;
 *  - raw: the same rows pre-rendered to COPY text files, then COPY … FROM STDIN alone
 *    into the same empty tables — the database's own floor for this load.
 * Results go to docs/PERFORMANCE.md.
 */
import { createReadStream, createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { getLayer } from '../core/layers.ts';
import { copyLine, openPostgis } from '../server/src/db/database.ts';
import { generateDataset, type Scale } from '../seeds/generate.ts';
import { DEFAULT_SEED, loadDataset, multiPolygonEwkt } from '../server/src/seed/load.ts';
import { fmtS, machine, median, percentile, writeSection } from './lib/report.ts';

const { values } = parseArgs({
  options: { scale: { type: 'string', default: 'city' }, runs: { type: 'string', default: '1' } },
});
const scale = values.scale as Scale;
const runs = Number(values.runs);
const serverUrl = process.env.BENCH_DATABASE_URL || process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';

async function freshDatabase(name: string) {
  const admin = await openPostgis(serverUrl);
  await admin.query(`DROP DATABASE IF EXISTS ${name}`);
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.close();
  const u = new URL(serverUrl);
  u.pathname = `/${name}`;
  const db = await openPostgis(u.toString());
  await db.migrate();
  return db;
}

// Pre-render the COPY input once (not timed as part of "raw").
const dir = mkdtempSync(join(tmpdir(), 'yzt-bench-load-'));
const files: { table: string; columns: string[]; path: string; rows: number }[] = [];
const tg = performance.now();
const ds = generateDataset({ scale, seed: DEFAULT_SEED });
for (const layer of ds.layers) {
  const def = getLayer(layer.id)!;
  const path = join(dir, `${def.table}.copy`);
  const out = createWriteStream(path);
  let columns: string[] = [];
  let rows = 0;
  for (const f of layer.features()) {
    if (!rows) columns = ['code', ...Object.keys(f.props), 'geom'];
    if (!out.write(copyLine([f.code, ...Object.keys(f.props).map((k) => f.props[k]), multiPolygonEwkt(f.polygons)])))
      await once(out, 'drain');
    rows++;
  }
  out.end();
  await once(out, 'finish');
  files.push({ table: def.table, columns, path, rows });
}
const generateMs = performance.now() - tg;
const total = files.reduce((s, f) => s + f.rows, 0);
console.log(`generated ${total.toLocaleString('en-US')} rows in ${fmtS(generateMs)}`);

const full: number[] = [];
const raw: number[] = [];
const perLayer = new Map<string, number[]>();
try {
  for (let i = 0; i < runs; i++) {
    let db = await freshDatabase('yzt_bench_load');
    const t0 = performance.now();
    await loadDataset(db, {
      scale,
      onProgress: (p) => {
        if (p.done) perLayer.set(p.layer, [...(perLayer.get(p.layer) ?? []), p.elapsedMs]);
      },
    });
    full.push(performance.now() - t0);
    await db.close();
    console.log(`end to end #${i + 1}: ${fmtS(full.at(-1)!)}`);

    db = await freshDatabase('yzt_bench_load');
    const t1 = performance.now();
    await db.transaction(async (tx) => {
      for (const f of files) {
        async function* lines() {
          for await (const chunk of createReadStream(f.path, { encoding: 'utf8', highWaterMark: 1 << 20 })) yield chunk as string;
        }
        await db.copy(f.table, f.columns, lines(), tx);
      }
    });
    raw.push(performance.now() - t1);
    await db.close();
    console.log(`raw COPY #${i + 1}: ${fmtS(raw.at(-1)!)}`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
  const admin = await openPostgis(serverUrl);
  await admin.query('DROP DATABASE IF EXISTS yzt_bench_load');
  await admin.close();
}

const counts = ds.counts();
writeSection(
  `seed-load-${scale}`,
  `## Loading the ${scale} dataset into PostGIS (\`npm run bench:seed-load -- --scale ${scale}\`)

Machine: ${machine()}. Database: PostgreSQL + PostGIS on the same machine (loopback). Run ${new Date().toISOString().slice(0, 10)}.
Dataset (seed ${DEFAULT_SEED}): ${Object.entries(counts)
    .map(([k, v]) => `${k} ${v.toLocaleString('en-US')}`)
    .join(', ')} — ${total.toLocaleString('en-US')} rows plus 9 counties.

| measure | runs | median | p95 |
|---|---|---|---|
| end to end (\`npm run seed\`: generate + COPY + validity checks + indexes + ANALYZE) | ${full.length} | ${fmtS(median(full))} | ${fmtS(percentile(full, 95))} |
| raw COPY of the same pre-rendered rows into the same tables | ${raw.length} | ${fmtS(median(raw))} | ${fmtS(percentile(raw, 95))} |
| generation alone (rendering the COPY text, no database) | 1 | ${fmtS(generateMs)} | — |

Ratio end to end / raw COPY: **${(median(full) / median(raw)).toFixed(2)}×**.

Per layer, end to end (median): ${[...perLayer.entries()].map(([k, v]) => `${k} ${fmtS(median(v))}`).join(', ')}.`,
);
console.log('written to docs/PERFORMANCE.md');
