/** Opens the PostGIS database a city-scale benchmark runs on, or exits with what to do. */
import { openPostgis, type Database } from '../../server/src/db/database.ts';

export async function openCityDatabase(): Promise<{ db: Database; seed: number }> {
  const url = process.env.BENCH_DATABASE_URL || process.env.DATABASE_URL;
  if (!url) {
    console.error('需要 PostGIS：设置 BENCH_DATABASE_URL 或 DATABASE_URL（city 数据集）');
    process.exit(2);
  }
  const db = await openPostgis(url);
  const info = (await db.query<{ scale: string; seed: number }>('SELECT scale, seed FROM seed_info'))[0];
  if (info?.scale !== 'city') {
    console.error(`数据库中是 ${info?.scale ?? '空'} 数据集；请先 npm run seed -- --scale city --force`);
    process.exit(2);
  }
  return { db, seed: info.seed };
}
