/**
 * `npx tsx bench/layer-read.ts`: the streaming layer readers (server/src/formats/stream) on big
 * generated layer files, beside GDAL reading the same file in the same run.
 *
 * Generates (in a temp dir) a GeoJSON FeatureCollection of ~300 MB (700 000 13-vertex polygons
 * around Kaifeng, Chinese attributes) and, from a 500 000-polygon GeoJSON, a zipped GBK Shapefile
 * in CGCS2000 GK zone 38 (EPSG:4526) written by ogr2ogr. Each file is read through openLayerFile
 * (every record converted to EPSG:4490) — records/s, wall time, peak RSS (sampled every 50 ms) —
 * and converted by `ogr2ogr -f PGDump /dev/null` for the ratio. Results go to docs/PERFORMANCE.md.
 * Flags: --features N (GeoJSON), --shp N (Shapefile), --rounds N (default 1).
 */
import { execFileSync } from 'node:child_process';
import { createWriteStream, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { once } from 'node:events';
import { openLayerFile } from '../server/src/formats/stream/index.ts';
import { machine, writeSection } from './lib/report.ts';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const GEOJSON_FEATURES = arg('features', 700_000);
const SHP_FEATURES = arg('shp', 500_000);

async function writeGeoJson(path: string, n: number): Promise<void> {
  const out = createWriteStream(path);
  const write = async (s: string) => {
    if (!out.write(s)) await once(out, 'drain');
  };
  await write('{"type":"FeatureCollection","name":"farmland","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::4490"}},"features":[\n');
  for (let i = 0; i < n; i++) {
    const x = 114 + (i % 1000) * 0.0012;
    const y = 34.4 + Math.floor(i / 1000) * 0.0009;
    const ring: number[][] = [];
    for (let k = 0; k < 12; k++) {
      const a = (k / 12) * 2 * Math.PI;
      ring.push([+(x + 0.0004 * Math.cos(a)).toFixed(8), +(y + 0.0003 * Math.sin(a)).toFixed(8)]);
    }
    ring.push(ring[0]!);
    const f = { type: 'Feature', properties: { BSM: i + 1, DLBM: '0101', DLMC: '水田', QSDWMC: `开封市祥符区第${i % 500}村民委员会`, TBMJ: 1234.5 + (i % 97) }, geometry: { type: 'Polygon', coordinates: [ring] } };
    await write((i ? ',\n' : '') + JSON.stringify(f));
  }
  out.end('\n]}\n');
  await once(out, 'finish');
}

async function readThrough(path: string): Promise<{ records: number; problems: number; ms: number; peakRss: number }> {
  let peakRss = process.memoryUsage().rss;
  const timer = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
  const t0 = performance.now();
  const reader = await openLayerFile(path, path.replace(/^.*\//, ''), {});
  let records = 0;
  let problems = 0;
  for await (const r of reader.features()) {
    records++;
    if (r.problem) problems++;
  }
  await reader.close();
  const ms = performance.now() - t0;
  clearInterval(timer);
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  return { records, problems, ms, peakRss };
}

function ogrMs(path: string): number {
  const t0 = performance.now();
  execFileSync('ogr2ogr', ['-f', 'PGDump', '/dev/null', path.endsWith('.zip') ? `/vsizip/${path}` : path, '-t_srs', 'EPSG:4490'], { stdio: 'pipe' });
  return performance.now() - t0;
}

const dir = mkdtempSync(join(tmpdir(), 'layer-read-'));
try {
  const geojson = join(dir, 'farmland.geojson');
  await writeGeoJson(geojson, GEOJSON_FEATURES);
  const shpSource = join(dir, 'shp-source.geojson');
  await writeGeoJson(shpSource, SHP_FEATURES);
  mkdirSync(join(dir, 'shp'));
  execFileSync('ogr2ogr', ['-f', 'ESRI Shapefile', '-t_srs', 'EPSG:4526', '-lco', 'ENCODING=GBK', join(dir, 'shp', 'farmland.shp'), shpSource], { stdio: 'pipe' });
  rmSync(shpSource);
  execFileSync('sh', ['-c', `cd ${join(dir, 'shp')} && zip -q -X ../farmland.zip *`]);
  rmSync(join(dir, 'shp'), { recursive: true });
  const rows: string[] = [];
  for (const [label, path] of [
    [`GeoJSON, EPSG:4490, ${GEOJSON_FEATURES.toLocaleString('en')} polygons`, geojson],
    [`zipped Shapefile, GBK, EPSG:4526 → 4490, ${SHP_FEATURES.toLocaleString('en')} polygons`, join(dir, 'farmland.zip')],
  ] as const) {
    const size = statSync(path).size;
    const ours = await readThrough(path);
    const gdal = ogrMs(path);
    const line = `| ${label} | ${(size / 1024 / 1024).toFixed(0)} MB | ${ours.records.toLocaleString('en')} (${ours.problems} problems) | ${(ours.ms / 1000).toFixed(1)} s | ${Math.round(ours.records / (ours.ms / 1000)).toLocaleString('en')} | ${(ours.peakRss / 1024 / 1024).toFixed(0)} MB | ${(gdal / 1000).toFixed(1)} s | ${(ours.ms / gdal).toFixed(2)} |`;
    console.log(line);
    rows.push(line);
  }
  writeSection(
    'layer-read',
    [
      '## Streaming layer readers (`npx tsx bench/layer-read.ts`)',
      '',
      `Machine: ${machine()}. One run (each file read once; no median/p95 over rounds). openLayerFile reads the file record by record and converts every polygon to EPSG:4490; the ratio is its wall time over \`ogr2ogr -f PGDump /dev/null -t_srs EPSG:4490\` of the same file in the same run. Peak RSS is the whole bench process (sampled every 50 ms), the reader's memory bound made visible: it does not grow with the file.`,
      '',
      '| File | Size | Records | Wall time | Records/s | Peak RSS | ogr2ogr | Ratio |',
      '| --- | --- | --- | --- | --- | --- | --- | --- |',
      ...rows,
    ].join('\n'),
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
