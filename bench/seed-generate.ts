/**
 * `npm run bench:seed-generate [-- --scale city --runs 1]`: generating a dataset in memory, no
 * database — every feature of every layer read, and the base map, as `npm run seed` and
 * `bench:seed-load` read them.
 *
 * Reports the time per run and per layer, the feature counts and the checksum (with more than
 * one run, whether every run gave the same one), and whether the city scale reaches the sizes the
 * other benchmarks are written for. Exits non-zero when a run's checksum differs or a size falls
 * short. Results go to docs/PERFORMANCE.md.
 */
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { generateDataset, type Scale } from '../seeds/generate.ts';
import { DEFAULT_SEED } from '../server/src/seed/load.ts';
import { fmtS, machine, median, percentile, writeSection } from './lib/report.ts';

const { values } = parseArgs({
  options: { scale: { type: 'string', default: 'city' }, runs: { type: 'string', default: '1' }, seed: { type: 'string', default: String(DEFAULT_SEED) } },
});
const scale = values.scale as Scale;
if (scale !== 'city' && scale !== 'demo') throw new Error(`--scale is city or demo, not ${values.scale}`);
const runs = Number(values.runs);
const seed = Number(values.seed);

/** The least the benchmarks at city scale are written for (tiles, site check, stock, audit, layers). */
const CITY_NEEDS = { 'permanent-farmland': 1_000_000, 'stock-parcel': 100_000, encroachment: 10_000 } as const;

/** The row for what generateDataset does before the first layer is read. */
const SETUP = 'set-up before the first layer (counties, rasters, boundary, red line)';

const totals: number[] = [];
const perLayer = new Map<string, number[]>();
const checksums: string[] = [];
let counts: Record<string, number> = {};
for (let i = 0; i < runs; i++) {
  const t0 = performance.now();
  const ds = generateDataset({ scale, seed });
  const setupMs = performance.now() - t0;
  perLayer.set(SETUP, [...(perLayer.get(SETUP) ?? []), setupMs]);
  for (const layer of ds.layers) {
    const tl = performance.now();
    for (const _ of layer.features());
    perLayer.set(layer.id, [...(perLayer.get(layer.id) ?? []), performance.now() - tl]);
  }
  const tb = performance.now();
  const basemap = ds.basemap().length;
  perLayer.set(`base map (${basemap.toLocaleString('en-US')} features)`, [...(perLayer.get(`base map (${basemap.toLocaleString('en-US')} features)`) ?? []), performance.now() - tb]);
  totals.push(performance.now() - t0);
  checksums.push(ds.checksum());
  counts = ds.counts();
  console.log(`run ${i + 1}: ${fmtS(totals.at(-1)!)}, checksum ${checksums.at(-1)!.slice(0, 16)}…`);
}

const total = Object.values(counts).reduce((a, b) => a + b, 0);
const stable = checksums.every((c) => c === checksums[0]);
const short = scale === 'city' ? Object.entries(CITY_NEEDS).filter(([k, need]) => (counts[k] ?? 0) < need) : [];
const n = (v: number) => v.toLocaleString('en-US');

writeSection(
  `seed-generate-${scale}`,
  `## Generating the ${scale} dataset in memory (\`npm run bench:seed-generate -- --scale ${scale}\`)

Machine: ${machine()}. No database: every feature of every layer generated and read. Run ${new Date().toISOString().slice(0, 10)}.
Dataset (seed ${seed}): ${Object.entries(counts)
    .map(([k, v]) => `${k} ${n(v)}`)
    .join(', ')} — ${n(total)} features plus 9 counties. Checksum \`${checksums[0]}\`${runs > 1 ? (stable ? `, the same in all ${runs} runs` : ' — **runs differ**') : ''}.

| measure | runs | median | p95 |
|---|---|---|---|
| whole dataset | ${totals.length} | ${fmtS(median(totals))} | ${fmtS(percentile(totals, 95))} |
${[...perLayer.entries()].map(([k, v]) => `| ${k} | ${v.length} | ${fmtS(median(v))} | ${fmtS(percentile(v, 95))} |`).join('\n')}
${
  scale === 'city'
    ? `\nSizes the city-scale benchmarks need: ${Object.entries(CITY_NEEDS)
        .map(([k, need]) => `${k} ≥ ${n(need)} (${n(counts[k] ?? 0)})`)
        .join(', ')} — ${short.length ? `**short: ${short.map(([k]) => k).join(', ')}**` : 'all reached'}.`
    : ''
}`,
);
console.log('written to docs/PERFORMANCE.md');
if (!stable) {
  console.error(`the same seed gave different checksums: ${checksums.join(', ')}`);
  process.exitCode = 1;
}
if (short.length) {
  console.error(`the city dataset falls short of what the benchmarks need: ${short.map(([k, need]) => `${k} ${counts[k] ?? 0} < ${need}`).join(', ')}`);
  process.exitCode = 1;
}
