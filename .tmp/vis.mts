import { buildApp } from '/work/main/server/src/app.ts';
import { openPostgis } from '/work/main/server/src/db/database.ts';
import { benchSession } from '/work/main/bench/lib/session.ts';
const db = await openPostgis('postgresql://postgres@127.0.0.1/yzt_city2');
const app = await buildApp({ db });
const s = await benchSession(app, db, 'planner');
const [t] = await db.query<{ code: string }>(`SELECT code FROM stock_parcel s WHERE category='批而未供' AND status='可供应' AND NOT EXISTS (SELECT 1 FROM stock_event e WHERE e.parcel_code=s.code) ORDER BY md5(code) LIMIT 1 OFFSET 7`);
const get = async (url: string) => { const t0 = Date.now(); const r = await app.inject({ method: 'GET', url, headers: s.headers }); return [Date.now() - t0, r.json()] as const; };
console.log('warm', (await get(`/api/stock-parcels?q=${t!.code}`))[0]);
console.log('warm2', (await get(`/api/stock-parcels?q=${t!.code}`))[0]);
const t0 = Date.now();
const r = await app.inject({ method: 'POST', url: `/api/stock-parcels/${t!.code}/events`, headers: s.headers, payload: { kind: 'supply', eventDate: '2026-12-01', docNo: 'x', details: { method: '划拨', contractNo: 'c', landUser: 'u' } } });
console.log('post', r.statusCode, Date.now() - t0);
for (let i = 0; i < 5; i++) { const [ms, j] = await get(`/api/stock-parcels?q=${t!.code}`); console.log('search', ms, (j as any).items?.[0]?.status, (j as any).total); }
await s.remove(); await app.close(); await db.close();
