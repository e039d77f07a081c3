/**
 * `npm start`: opens the database (embedded unless DATABASE_URL is set),
 * migrates, loads the demo dataset on first start, and serves API and client
 * on one port.
 */
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { embeddedDir, loadConfig } from './config.ts';
import { openDatabase } from './db/database.ts';
import { openReplica, replicaLocation, type ReadRouting } from './db/replica.ts';
import { buildApp } from './app.ts';
import { startParsePools } from './http/parse-pool.ts';
import { ensureClientBuilt } from './client-build.ts';
import { basemapsFromEnv } from './modules/config/routes.ts';
import { siteCheckLimitsFromEnv } from './modules/site-check/budget.ts';
import { loadDataset, seededDataset, terminalProgress } from './seed/load.ts';
import { audit, createUser } from './modules/auth/service.ts';
import { extentForScale, setDataExtent } from '../../core/geometry-validation.ts';

const t0 = performance.now();
const secs = () => ((performance.now() - t0) / 1000).toFixed(1);
const config = loadConfig();

console.log(`一张图 Yizhangtu — 正在启动 starting…`);
const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: embeddedDir(config.dataDir) });
console.log(`  数据库 database: ${db.kind === 'embedded' ? '内置 embedded PGlite + PostGIS' : 'PostgreSQL + PostGIS'} (${db.location}) [${secs()} s]`);
await db.migrate();
console.log(`  数据库结构已就绪 migrations applied [${secs()} s]`);
let reads: ReadRouting | undefined;
if (config.databaseReplicaUrl) {
  reads = await openReplica(config.databaseReplicaUrl, db, { maxLagMs: config.replicaMaxLagMs });
  console.log(`  只读副本 read replica: ${replicaLocation(config.databaseReplicaUrl)} — ${reads.status()!.state} (延迟上限 max lag ${config.replicaMaxLagMs} ms) [${secs()} s]`);
}

const existing = await seededDataset(db);
// sites must lie in the loaded dataset's extent: Kaifeng's, or the province's
setDataExtent(extentForScale(existing?.scale ?? config.seedScale));
if (existing) {
  console.log(`  数据集 dataset: ${existing.scale}（seed ${existing.seed}）`);
} else if (config.seedScale !== 'none') {
  console.log(`  首次启动：生成并导入 ${config.seedScale} 数据集 first start: loading the ${config.seedScale} dataset…`);
  const r = await loadDataset(db, { scale: config.seedScale, seed: config.seed, onProgress: terminalProgress(), imageryDir: config.imageryDir });
  console.log(`  数据集导入完成 dataset loaded in ${(r.elapsedMs / 1000).toFixed(1)} s`);
}

// the first administrator, from the environment, when there is none yet (no default password exists)
const adminName = process.env.YZT_ADMIN_USERNAME?.trim();
const adminPassword = process.env.YZT_ADMIN_PASSWORD;
if (adminName && adminPassword) {
  const [{ n } = { n: 0 }] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM app_user WHERE role = 'admin'`);
  if (n === 0) {
    const admin = await createUser(db, { username: adminName, role: 'admin', password: adminPassword });
    await audit(db, { action: 'user-created', username: 'env', target: admin.username, details: { role: 'admin', by: 'startup-env' } });
    console.log(`  已创建首个管理员 first admin created: ${admin.username}`);
  }
} else {
  const [{ n } = { n: 0 }] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM app_user WHERE role = 'admin'`);
  if (n === 0) console.log('  尚无管理员：npm run user:create -- --username 名称 --role admin，或设置 YZT_ADMIN_USERNAME / YZT_ADMIN_PASSWORD');
}

if (!process.env.CLIENT_DIR) {
  await ensureClientBuilt(process.cwd(), config.clientDir, (s) => console.log(s));
}

const app = await buildApp({
  db,
  reads,
  closeDbWithApp: true,
  clientDir: config.clientDir,
  logger: { level: config.logLevel },
  basemaps: basemapsFromEnv(process.env),
  basemapSources: config.basemapSources,
  trustProxy: config.trustProxy,
  redisUrl: config.redisUrl,
  siteCheckLimits: siteCheckLimitsFromEnv(process.env),
  stockFirstRadiusKm: config.stockFirstRadiusKm,
  farmlandShareAveragePct: config.farmlandShareAveragePct,
  uploadDir: join(config.dataDir, 'uploads'),
  imageryDir: config.imageryDir,
});
// Shutting down drains: Fastify stops accepting connections, answers requests arriving meanwhile
// with 503 (return503OnClosing), closes idle keep-alive connections (forceCloseConnections
// 'idle'), waits for the requests in flight, then its onClose hooks wait for running jobs and
// close the database. Past SHUTDOWN_GRACE_MS whatever is left is cut and the process exits 1.
const SHUTDOWN_GRACE_MS = 10_000;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.log(`\n收到 ${signal}，正在等待进行中的请求并关闭 draining in-flight requests and shutting down…`);
    setTimeout(() => {
      console.error(`  ${SHUTDOWN_GRACE_MS / 1000} 秒内未能关闭，强制退出 not closed within ${SHUTDOWN_GRACE_MS / 1000} s, exiting`);
      process.exit(1);
    }, SHUTDOWN_GRACE_MS).unref();
    app.close().then(
      () => {
        console.log('  已关闭 closed');
        process.exit(0);
      },
      (err: unknown) => {
        console.error('  关闭失败 close failed:', err);
        process.exit(1);
      },
    );
  });
}
// the upload parsers' worker threads, started now rather than by the first upload
startParsePools();
await app.listen({ port: config.port, host: config.host });
console.log(`  已就绪 ready in ${secs()} s → http://localhost:${config.port}/  (API 文档 /docs)`);
// the stock-land catalogue loaded now, in the background, rather than by the first site check or
// search (which would wait for it: ~1 s for a city's library, ~30 s for a province's)
app.stockCatalogue.invalidate();
