import { openPostgis } from '/work/main/server/src/db/database.ts';
import { revitalisationFigures } from '/work/main/server/src/modules/figures/revitalisation.ts';
const db = await openPostgis('postgresql://postgres@127.0.0.1/yzt_city2');
for (const y of [2021, 2024, 2026, 2026, 2026]) { const t = Date.now(); const f = await revitalisationFigures(db, y); console.log(y, Date.now() - t, 'ms', f.total.startCount, f.total.revitalisedCount, f.total.ratePct); }
await db.close();
