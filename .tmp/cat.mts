import { openPostgis } from '/work/main/server/src/db/database.ts';
import { StockCatalogue } from '/work/main/server/src/modules/stock/catalogue.ts';
const db = await openPostgis('postgresql://postgres@127.0.0.1/yzt_city2');
const c = new StockCatalogue(db) as any;
for (let i = 0; i < 3; i++) { const t = Date.now(); await c.load('x' + i); console.log('load', Date.now() - t, 'ms'); }
const q = db.query.bind(db);
let t = Date.now();
const rows = await q(`SELECT s.id, s.code, s.name, s.category, s.county_code, s.planned_use, s.status, s.four_un_stage, s.area_m2, s.plot_ratio_min, s.plot_ratio_max, s.ref_price, s.approval_date::text AS approval_date, ST_X(p.pt) AS lon, ST_Y(p.pt) AS lat, st.urban_boundary_id, (st.permanent_farmland_m2 > 0.01 OR st.eco_redline_m2 > 0.01) AS conflict FROM stock_parcel s JOIN stock_standing st ON st.parcel_id = s.id CROSS JOIN LATERAL (SELECT ST_PointOnSurface(s.geom) AS pt) p WHERE s.status <> '已注销'`);
console.log('main query', Date.now() - t, rows.length);
t = Date.now();
await q(`SELECT s.id, s.code, s.name, s.category, s.county_code, s.planned_use, s.status, s.four_un_stage, s.area_m2, s.plot_ratio_min, s.plot_ratio_max, s.ref_price, s.approval_date::text AS approval_date, st.urban_boundary_id FROM stock_parcel s JOIN stock_standing st ON st.parcel_id = s.id WHERE s.status <> '已注销'`);
console.log('without point', Date.now() - t);
t = Date.now(); await q('SELECT a_id, b_id FROM stock_adjacency'); console.log('adjacency', Date.now() - t);
t = Date.now(); await q(`SELECT count(*)::int AS n FROM stock_parcel s WHERE s.status <> '已注销'`); console.log('count', Date.now() - t);
await db.close();
