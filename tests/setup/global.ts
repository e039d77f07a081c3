/**
 * Prepares one seeded demo database for the whole run:
 * - embedded: a PGlite data directory that each test file copies and opens (always made);
 * - PostGIS: the database named by TEST_DATABASE_URL / DATABASE_URL, migrated and seeded.
 * Also builds the client once for the browser tests.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { openEmbedded, openPostgis } from '../../server/src/db/database.ts';
import { loadDataset, seededDataset } from '../../server/src/seed/load.ts';
import { ensureCaseOverlaps } from '../../server/src/modules/cases/overlaps.ts';
import { generateDataset } from '../../seeds/generate.ts';
import { ensureClientBuilt } from '../../server/src/client-build.ts';
import { TEST_SEED, testDatabaseUrl } from '../helpers/backend.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    embeddedTemplate: string;
  }
}

export default async function setup(project: TestProject) {
  const started = Date.now();
  // The embedded template is always prepared: on the PostGIS run it serves the cross-backend tile test.
  const dir = mkdtempSync(join(tmpdir(), 'yzt-template-'));
  const embedded = await openEmbedded(dir);
  await embedded.migrate();
  await loadDataset(embedded, { scale: 'demo', seed: TEST_SEED });
  await embedded.close();
  project.provide('embeddedTemplate', dir);
  const cleanup = () => rmSync(dir, { recursive: true, force: true });

  if (testDatabaseUrl) {
    const db = await openPostgis(testDatabaseUrl);
    try {
      await db.migrate();
      const existing = await seededDataset(db);
      const expected = generateDataset({ scale: 'demo', seed: TEST_SEED });
      for (const l of expected.layers) for (const _ of l.features());
      if (existing?.checksum !== expected.checksum()) await loadDataset(db, { scale: 'demo', seed: TEST_SEED });
      // a database seeded before the cases' overlaps existed gets them now, not in the middle of a test
      await ensureCaseOverlaps(db);
    } finally {
      await db.close();
    }
  }
  await ensureClientBuilt(process.cwd(), join(process.cwd(), 'dist/client'), () => undefined);
  console.log(`[setup] ${testDatabaseUrl ? 'PostGIS' : 'embedded'} demo database ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return () => cleanup();
}
