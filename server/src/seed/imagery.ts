/**
 * The demo's two imagery periods (seeds/lib/imagery.ts draws them from the generated dataset):
 * written to IMAGERY_DIR/demo/ and registered — 2025 Q3 public, 2026 Q3 restricted (the one
 * that shows the encroachments) — replacing any demo periods registered before. Other imagery
 * layers are left as they are.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Database } from '../db/database.ts';
import { writeDemoImagery, type ImageryFeature } from '../../../seeds/lib/imagery.ts';
import type { GeneratedDataset } from '../../../seeds/generate.ts';
import { describeGeoTiff } from '../modules/imagery/geotiff-source.ts';
import { forgetImagery, insertImagery } from '../modules/imagery/store.ts';

export const DEMO_PERIODS = {
  before: { name: '开封市正射影像 2025 年第三季度（模拟）', nameEn: 'Kaifeng orthophoto 2025 Q3 (simulated)', periodLabel: '2025 Q3', periodDate: '2025-09-30', access: 'public' as const, file: 'kaifeng-2025q3.tif' },
  after: { name: '开封市正射影像 2026 年第三季度（模拟）', nameEn: 'Kaifeng orthophoto 2026 Q3 (simulated)', periodLabel: '2026 Q3', periodDate: '2026-09-30', access: 'restricted' as const, file: 'kaifeng-2026q3.tif' },
};

export async function loadDemoImagery(db: Database, imageryDir: string, ds: GeneratedDataset): Promise<{ files: { path: string; bytes: number }[]; elapsedMs: number }> {
  const started = Date.now();
  const of = (id: string): ImageryFeature[] => {
    const layer = ds.layers.find((l) => l.id === id);
    return layer ? [...layer.features()].map((f) => ({ code: f.code, polygons: f.polygons })) : [];
  };
  const all = ds.counties.flatMap((c) => c.polygons.flat(2));
  const xs = all.map((p) => p[0]!);
  const ys = all.map((p) => p[1]!);
  const extent: [number, number, number, number] = [Math.min(...xs) - 0.01, Math.min(...ys) - 0.01, Math.max(...xs) + 0.01, Math.max(...ys) + 0.01];
  const dir = join(imageryDir, 'demo');
  mkdirSync(dir, { recursive: true });
  const written = writeDemoImagery(
    {
      extent,
      fields: [...of('permanent-farmland'), ...of('general-farmland')],
      urban: of('urban-boundary'),
      stock: of('stock-parcel'),
      heritage: of('purple-line'),
      encroachments: of('encroachment'),
    },
    { before: join(dir, DEMO_PERIODS.before.file), after: join(dir, DEMO_PERIODS.after.file) },
  );
  await db.query('DELETE FROM imagery_layer WHERE demo');
  for (const key of ['before', 'after'] as const) {
    const { file, ...meta } = DEMO_PERIODS[key];
    const info = await describeGeoTiff(written[key].path);
    await insertImagery(db, meta, { relPath: join('demo', file), fileName: file, source: 'demo' }, info, null);
  }
  forgetImagery();
  return { files: [written.before, written.after], elapsedMs: Date.now() - started };
}
