import { openPostgis } from '/work/main/server/src/db/database.ts';
const db = await openPostgis('postgresql://postgres@127.0.0.1/yzt_city2');
const src = (await import('node:fs')).readFileSync('/work/main/server/src/modules/figures/revitalisation.ts', 'utf8');
const IS = src.match(/const IS_STOCK = `([\s\S]*?)`;/)![1]!;
let sql = src.match(/const SQL = `([\s\S]*?)`;/)![1]!;
sql = sql.replace('${IS_STOCK}', IS).replace("${IS_STOCK.replace(/\\b(category|status)\\b/g, 'f.$1')}", IS.replace(/\b(category|status)\b/g, 'f.$1'));
const rows = await db.query<{ 'QUERY PLAN': string }>('EXPLAIN (ANALYZE, BUFFERS) ' + sql, ['2026-01-01', '2027-01-01', ['supply', 'dispose', 'redevelop']]);
console.log(rows.map((r) => r['QUERY PLAN']).join('\n'));
await db.close();
