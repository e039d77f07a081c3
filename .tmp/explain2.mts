import { openPostgis } from '/work/main/server/src/db/database.ts';
const db = await openPostgis('postgresql://postgres@127.0.0.1/yzt_city2');
await db.query('LOAD \'auto_explain\'').catch(() => 0);
const mod = await import('/work/main/server/src/modules/figures/revitalisation.ts');
const orig = db.query.bind(db);
(db as any).query = async (sql: string, p: unknown[]) => { if (sql.includes('first_after')) { const r = await orig<any>('EXPLAIN (ANALYZE) ' + sql, p); console.log(r.map((x: any) => x['QUERY PLAN']).filter((l: string) => /actual time=\d+\.\d+\.\.([1-9]\d|\d{3})/.test(l) || /Execution/.test(l)).join('\n')); } return orig(sql, p); };
await mod.revitalisationFigures(db, 2026);
await db.close();
