/**
 * `npm run seed -- [--scale demo|city|province] [--seed N] [--force]`
 *
 * Generates and loads a dataset into the database the environment names
 * (`DATABASE_URL`, else the embedded database under `DATA_DIR`). Refuses to
 * replace an existing dataset unless `--force` is given.
 */
import { parseArgs } from 'node:util';
import { embeddedDir, loadConfig } from '../config.ts';
import { openDatabase } from '../db/database.ts';
import { DEFAULT_SEED, loadDataset, seededDataset, terminalProgress } from '../seed/load.ts';

const { values } = parseArgs({
  options: {
    scale: { type: 'string', default: 'demo' },
    seed: { type: 'string', default: String(DEFAULT_SEED) },
    force: { type: 'boolean', default: false },
  },
});
if (values.scale !== 'demo' && values.scale !== 'city' && values.scale !== 'province') {
  console.error(`未知的数据规模 “${values.scale}”：只能是 demo、city 或 province（unknown scale: use demo, city or province）`);
  process.exit(2);
}
const seed = Number(values.seed);
if (!Number.isInteger(seed) || seed < 0) {
  console.error(`种子必须是非负整数：${values.seed}（seed must be a non-negative integer）`);
  process.exit(2);
}

const config = loadConfig();
const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: embeddedDir(config.dataDir) });
try {
  console.log(`数据库 database: ${db.kind} (${db.location})`);
  await db.migrate();
  const existing = await seededDataset(db);
  if (existing && !values.force) {
    console.log(`已有数据集 ${existing.scale}（seed ${existing.seed}）；加 --force 以替换。`);
  } else {
    console.log(`生成并导入 ${values.scale} 数据集（seed ${seed}）…`);
    const r = await loadDataset(db, { scale: values.scale, seed, onProgress: terminalProgress(), imageryDir: config.imageryDir });
    console.log(`完成 done in ${(r.elapsedMs / 1000).toFixed(1)} s — checksum ${r.checksum.slice(0, 16)}`);
  }
} finally {
  await db.close();
}
