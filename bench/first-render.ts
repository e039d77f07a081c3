/**
 * `npm run bench:first-render [-- --runs N] [--compare REV]`: the map workspace's first map
 * render in headless Chromium (/usr/bin/chromium through playwright-core), on the embedded
 * database with the demo dataset.
 *
 * Each run loads `/` in a new browser context (its own empty HTTP cache, no session: a member
 * of the public) and times, from the navigation's start (`performance.now()` in the page):
 * the map's creation (`window.yizhangtu.controller`), its `load` event, and its first `idle`
 * at which every data layer shown at the starting zoom has features drawn
 * (`queryRenderedFeatures` on each visible vector fill but the base map's own) and every tile,
 * the base map's included, has arrived — the first map render. One load before
 * the measured ones warms the server (PGlite, the tile cache), so the runs time the client.
 * The other pages (/signin, /stock, /audit, /admin, /me) are loaded once each to record which
 * scripts they fetch and whether MapLibre is among them.
 *
 * `--compare REV` builds the client of that commit as well (client/, core/ and vite.config.ts
 * from `git archive`) and serves both builds from the same database, alternating runs, so the
 * two sets of numbers come from the same machine and the same load. Results go to
 * docs/PERFORMANCE.md.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import type { Browser, Page } from 'playwright-core';
import { buildApp } from '../server/src/app.ts';
import { openEmbedded } from '../server/src/db/database.ts';
import { loadDataset } from '../server/src/seed/load.ts';
import { launchBrowser } from '../tests/helpers/browser.ts';
import { fmtMs, machine, median, percentile, writeSection } from './lib/report.ts';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '15' }, compare: { type: 'string' } } });
const runs = Number(values.runs);
const SEED = 20261122;
const BUDGET_MS = 2000;
/** A message only MapLibre's code holds: a script carrying it carries MapLibre. */
const MAPLIBRE_MARK = 'Style is not done loading';
const ROUTES = ['/signin', '/stock', '/audit', '/admin/users', '/me'];

const cwd = process.cwd();
const scratch = mkdtempSync(join(tmpdir(), 'yzt-bench-render-'));

/** Builds a client (root: a folder holding client/, core/ and vite.config.ts) into `outDir`. */
async function buildClient(root: string, outDir: string) {
  const vite = await import('vite');
  await vite.build({ root: join(root, 'client'), configFile: join(root, 'vite.config.ts'), logLevel: 'warn', build: { outDir, emptyOutDir: true } });
}

interface Build {
  label: string;
  dir: string;
  app?: FastifyInstance;
  base?: string;
  runs: Timing[];
  routes: RouteLoad[];
}

const builds: Build[] = [];
if (values.compare) {
  const rev = execFileSync('git', ['rev-parse', '--short', values.compare], { encoding: 'utf8' }).trim();
  const src = join(scratch, `src-${rev}`);
  execFileSync('mkdir', ['-p', src]);
  execFileSync('sh', ['-c', `git archive ${rev} client core vite.config.ts | tar -x -C ${src}`]);
  symlinkSync(join(cwd, 'node_modules'), join(src, 'node_modules'));
  const dir = join(scratch, `dist-${rev}`);
  console.log(`building the client of ${rev}…`);
  await buildClient(src, dir);
  builds.push({ label: rev, dir, runs: [], routes: [] });
}
const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
const dirty = execFileSync('git', ['status', '--porcelain', 'client', 'core', 'vite.config.ts'], { encoding: 'utf8' }).trim() !== '';
const current = join(scratch, 'dist-current');
console.log('building the current client…');
await buildClient(cwd, current);
builds.push({ label: `${head}${dirty ? ' + working tree' : ''}`, dir: current, runs: [], routes: [] });

console.log('loading the demo dataset into a new embedded database…');
const db = await openEmbedded(join(scratch, 'pglite'));
await db.migrate();
await loadDataset(db, { scale: 'demo', seed: SEED });
for (const b of builds) {
  b.app = await buildApp({ db, clientDir: b.dir, rateLimitPerMinute: { public: 1_000_000 } });
  b.base = await b.app.listen({ port: 0, host: '127.0.0.1' });
}

interface Timing {
  /** ms from the navigation's start */
  domContentLoaded: number;
  /** the last of the workspace's data calls (health, layers, counties, config, session) answered */
  apiDone: number;
  /** MapLibre's worker script fetched */
  workerLoaded: number;
  /** the first tile asked for, and the last received before the first render */
  tilesStart: number;
  tilesDone: number;
  tiles: number;
  mapCreated: number;
  mapLoad: number;
  firstRender: number;
  /** bytes of the scripts and style sheets fetched until then */
  jsBytes: number;
  cssBytes: number;
  maplibre: boolean;
}

interface RouteLoad {
  path: string;
  jsBytes: number;
  cssBytes: number;
  maplibre: boolean;
}

/**
 * Installed before any script of the page: notes when the map exists, loads and first shows its
 * data. Plain JavaScript text, so that nothing the TypeScript runner adds to functions reaches the page.
 */
const FIRST_RENDER_PROBE = `(() => {
  const t = {};
  window.__firstRender = t;
  const poll = () => {
    const map = window.yizhangtu && window.yizhangtu.controller && window.yizhangtu.controller.map;
    if (!map) return void setTimeout(poll, 2);
    t.mapCreated = performance.now();
    const drawn = () => {
      if (!map.loaded() || !map.areTilesLoaded() || map.isMoving()) return false;
      const zoom = map.getZoom();
      const fills = map.getStyle().layers.filter((l) => {
        // the data layers; the base map's own fills (water, built-up…) need not all lie in the first
        // view, and its tiles are among those areTilesLoaded() waits for
        if (l.type !== 'fill' || !l.source || l.id.indexOf('basemap-') === 0) return false;
        const src = map.getSource(l.source);
        return src && src.type === 'vector' && ((l.layout && l.layout.visibility) || 'visible') !== 'none' && (l.minzoom || 0) <= zoom;
      });
      const empty = fills.filter((l) => map.queryRenderedFeatures({ layers: [l.id] }).length === 0).map((l) => l.id);
      t.waitingFor = empty.join(', ');
      return fills.length > 0 && empty.length === 0;
    };
    const onIdle = () => {
      if (t.firstRender === undefined && drawn()) {
        t.firstRender = performance.now();
        map.off('idle', onIdle);
      }
    };
    if (map.loaded()) t.mapLoad = performance.now();
    else map.once('load', () => (t.mapLoad = performance.now()));
    map.on('idle', onIdle);
  };
  poll();
})();`;

/** Collects the bodies of the scripts and style sheets a page fetches, as they arrive (a page left behind keeps none). */
function collectScripts(page: Page) {
  const bodies: Promise<{ type: string; body: Buffer | null }>[] = [];
  page.on('response', (r) => {
    const type = r.request().resourceType();
    if (type === 'script' || type === 'stylesheet') bodies.push(r.body().then((body) => ({ type, body }), () => ({ type, body: null })));
  });
  return async () => {
    let js = 0;
    let css = 0;
    let maplibre = false;
    for (const { type, body } of await Promise.all(bodies)) {
      if (!body) continue;
      if (type === 'script') {
        js += body.length;
        if (body.includes(MAPLIBRE_MARK)) maplibre = true;
      } else css += body.length;
    }
    return { js, css, maplibre };
  };
}

async function loadWorkspace(browser: Browser, base: string): Promise<Timing> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 860 } });
  try {
    const page = await context.newPage();
    const scripts = collectScripts(page);
    const requests: { url: string; start: number; end: number }[] = [];
    page.on('requestfinished', (r) => {
      const t = r.timing();
      requests.push({ url: r.url(), start: t.startTime, end: t.startTime + t.responseEnd });
    });
    await page.addInitScript({ content: FIRST_RENDER_PROBE });
    await page.goto(`${base}/`, { waitUntil: 'domcontentloaded' });
    // (arrow functions without inner declarations: the page's CSP refuses evaluated strings)
    await page
      .waitForFunction(() => (window as unknown as { __firstRender?: { firstRender?: number } }).__firstRender?.firstRender !== undefined, null, { timeout: 60_000, polling: 50 })
      .catch(async (e: Error) => {
        const waiting = await page.evaluate(() => (window as unknown as { __firstRender?: { waitingFor?: string } }).__firstRender?.waitingFor);
        throw new Error(`${base}: no first render in 60 s (layers without features: ${waiting ?? 'the map never went idle'})`, { cause: e });
      });
    const t: Record<string, number> = await page.evaluate(() => ({
      ...(window as unknown as { __firstRender: Record<string, number> }).__firstRender,
      domContentLoaded: (performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming).domContentLoadedEventEnd,
    }));
    const s = await scripts();
    // request times are wall-clock: relative to the navigation's start as the page has it
    const origin = await page.evaluate(() => performance.timeOrigin);
    const at = (x: number) => x - origin;
    const done = origin + t.firstRender!;
    const api = requests.filter((r) => /^\/api\/(health|layers|counties|config|session)$/.test(new URL(r.url).pathname));
    const worker = requests.find((r) => /maplibre-gl-worker/.test(r.url));
    const tiles = requests.filter((r) => /\/tiles\//.test(r.url) && r.start <= done);
    return {
      domContentLoaded: t.domContentLoaded!,
      apiDone: api.length ? at(Math.max(...api.map((r) => r.end))) : NaN,
      workerLoaded: worker ? at(worker.end) : NaN,
      tilesStart: tiles.length ? at(Math.min(...tiles.map((r) => r.start))) : NaN,
      tilesDone: tiles.length ? at(Math.max(...tiles.map((r) => r.end))) : NaN,
      tiles: tiles.length,
      mapCreated: t.mapCreated!,
      mapLoad: t.mapLoad!,
      firstRender: t.firstRender!,
      jsBytes: s.js,
      cssBytes: s.css,
      maplibre: s.maplibre,
    };
  } finally {
    await context.close();
  }
}

async function loadRoute(browser: Browser, base: string, path: string): Promise<RouteLoad> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 860 } });
  try {
    const page = await context.newPage();
    const scripts = collectScripts(page);
    await page.goto(`${base}${path}`, { waitUntil: 'networkidle' });
    const s = await scripts();
    return { path, jsBytes: s.js, cssBytes: s.css, maplibre: s.maplibre };
  } finally {
    await context.close();
  }
}

const browser = await launchBrowser();
const loadBefore = loadavg()[0]!;
try {
  for (const b of builds) await loadWorkspace(browser, b.base!); // warm the server
  for (let i = 0; i < runs; i++) {
    for (const b of i % 2 ? [...builds].reverse() : builds) {
      const t = await loadWorkspace(browser, b.base!);
      b.runs.push(t);
      console.log(
        `${b.label} #${i + 1}: DOMContentLoaded ${fmtMs(t.domContentLoaded)}, data ${fmtMs(t.apiDone)}, worker ${fmtMs(t.workerLoaded)}, map created ${fmtMs(t.mapCreated)}, tiles ${fmtMs(t.tilesStart)}–${fmtMs(t.tilesDone)} (${t.tiles}), load ${fmtMs(t.mapLoad)}, first render ${fmtMs(t.firstRender)}`,
      );
    }
  }
  for (const b of builds) for (const path of ROUTES) b.routes.push(await loadRoute(browser, b.base!, path));
} finally {
  await browser.close();
  for (const b of builds) await b.app?.close();
  await db.close();
}

const loadAfter = loadavg()[0]!;
const kb = (n: number) => `${(n / 1024).toFixed(0)} KB`;
const stat = (xs: number[]) => `${fmtMs(median(xs))} | ${fmtMs(percentile(xs, 95))}`;

function assets(dir: string) {
  const files = readdirSync(join(dir, 'assets')).filter((f) => /\.(m?js|css)$/.test(f));
  return files
    .map((f) => {
      const buf = readFileSync(join(dir, 'assets', f));
      return { name: f.replace(/-[\w-]{8}\./, '.'), bytes: statSync(join(dir, 'assets', f)).size, gzip: gzipSync(buf).length };
    })
    .sort((a, b) => b.bytes - a.bytes);
}

const timingRows = builds
  .flatMap((b) => [
    `| ${b.label} | DOMContentLoaded | ${stat(b.runs.map((r) => r.domContentLoaded))} |`,
    `| ${b.label} | the workspace's data answered (health, layers, counties, config, session) | ${stat(b.runs.map((r) => r.apiDone))} |`,
    `| ${b.label} | MapLibre's worker fetched | ${stat(b.runs.map((r) => r.workerLoaded))} |`,
    `| ${b.label} | map created | ${stat(b.runs.map((r) => r.mapCreated))} |`,
    `| ${b.label} | first tile asked for | ${stat(b.runs.map((r) => r.tilesStart))} |`,
    `| ${b.label} | last tile of the first render received | ${stat(b.runs.map((r) => r.tilesDone))} |`,
    `| ${b.label} | map \`load\` | ${stat(b.runs.map((r) => r.mapLoad))} |`,
    `| ${b.label} | **first render** (idle, data layers drawn) | **${fmtMs(median(b.runs.map((r) => r.firstRender)))}** | **${fmtMs(percentile(b.runs.map((r) => r.firstRender), 95))}** |`,
  ])
  .join('\n');
const loadRows = builds
  .map((b) => `| ${b.label} | \`/\` | ${kb(median(b.runs.map((r) => r.jsBytes)))} | ${kb(median(b.runs.map((r) => r.cssBytes)))} | ${b.runs.every((r) => r.maplibre) ? 'yes' : 'no'} |`)
  .concat(builds.flatMap((b) => b.routes.map((r) => `| ${b.label} | \`${r.path}\` | ${kb(r.jsBytes)} | ${kb(r.cssBytes)} | ${r.maplibre ? 'yes' : 'no'} |`)))
  .join('\n');
const assetRows = builds
  .flatMap((b) => {
    const list = assets(b.dir);
    const js = list.filter((a) => /\.m?js$/.test(a.name) && !a.name.startsWith('maplibre-gl-worker'));
    const rest = list.slice(10);
    return [
      ...list.slice(0, 10).map((a) => `| ${b.label} | ${a.name} | ${kb(a.bytes)} | ${kb(a.gzip)} |`),
      ...(rest.length ? [`| ${b.label} | ${rest.length} smaller files | ${kb(rest.reduce((x, a) => x + a.bytes, 0))} | ${kb(rest.reduce((x, a) => x + a.gzip, 0))} |`] : []),
      `| ${b.label} | *all scripts but the worker* | ${kb(js.reduce((s, a) => s + a.bytes, 0))} | ${kb(js.reduce((s, a) => s + a.gzip, 0))} |`,
    ];
  })
  .join('\n');
const last = builds.at(-1)!;
const met = percentile(last.runs.map((r) => r.firstRender), 95) <= BUDGET_MS;

writeSection(
  'first-render',
  `## First map render of the workspace (\`npm run bench:first-render\`)

Machine: ${machine()}; load average ${loadBefore.toFixed(1)} when the loads began, ${loadAfter.toFixed(1)} when they ended (other work shared the machine). Embedded database, demo dataset (seed ${SEED}),
server and headless Chromium on the same machine (loopback, no compression, no throttling). Run ${new Date().toISOString().slice(0, 10)}.

${runs} loads of \`/\` per build, each in a new browser context (empty HTTP cache, no session), after one
load that warmed the server; builds alternated. Times from the navigation's start. *First render*:
the map's first \`idle\` with every data layer shown at the starting zoom drawn
(\`queryRenderedFeatures\` finds features on each visible vector fill but the base map's own) and every tile asked for, the base map's included, received. Budget: ≤ ${BUDGET_MS / 1000} s —
**${met ? 'met' : 'not met'}** by the last build (p95 ${fmtMs(percentile(last.runs.map((r) => r.firstRender), 95))}).
Headless Chromium draws WebGL in software here (\`--disable-gpu\`, SwiftShader) and the server's one
Node thread also runs the embedded database: from the map's creation on, most of the time is
drawing frames and parsing tiles on the CPU, which a browser with a GPU does far faster.

| build | step | median | p95 |
|---|---|---|---|
${timingRows}

What each page fetched (script and style-sheet bodies; MapLibre told by its own code):

| build | page | scripts (MapLibre's worker included) | styles | MapLibre loaded |
|---|---|---|---|---|
${loadRows}

The built assets (MapLibre's worker is fetched by the map, not by the page):

| build | file | size | gzip |
|---|---|---|---|
${assetRows}`,
);
rmSync(scratch, { recursive: true, force: true });
console.log('written to docs/PERFORMANCE.md');
