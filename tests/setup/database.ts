/**
 * Prepares one seeded demo database for the run, for the projects that need one (api, e2e):
 * - embedded: a PGlite data directory that each test file copies and opens (always made);
 * - PostGIS: the database named by TEST_DATABASE_URL / DATABASE_URL, migrated and seeded.
 * Both projects list this setup; the run seeds once and hands every project the same template
 * (vitest runs all the projects' setups before any test and their teardowns at the end).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { openEmbedded, openPostgis } from '../../server/src/db/database.ts';
import { loadDataset, seededDataset } from '../../server/src/seed/load.ts';
import { ensureCaseOverlaps } from '../../server/src/modules/cases/overlaps.ts';
import { generateDataset } from '../../seeds/generate.ts';
import { TEST_SEED, testDatabaseUrl } from '../helpers/backend.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    embeddedTemplate: string;
  }
}

interface Shared {
  template: Promise<string>;
  users: number;
}

/** Kept on the main process's globalThis: each project loads this file as a module of its own. */
const KEY = Symbol.for('yizhangtu.tests.seeded-database');
const store = globalThis as typeof globalThis & { [KEY]?: Shared };

async function seed(): Promise<string> {
  const started = Date.now();
  // The embedded template is always prepared: on the PostGIS run it serves the cross-backend tile test.
  const dir = mkdtempSync(join(tmpdir(), 'yzt-template-'));
  try {
    const embedded = await openEmbedded(dir);
    await embedded.migrate();
    await loadDataset(embedded, { scale: 'demo', seed: TEST_SEED });
    await embedded.close();

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
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  console.log(`[setup] ${testDatabaseUrl ? 'PostGIS' : 'embedded'} demo database ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return dir;
}

export default async function setup(project: TestProject) {
  const shared = (store[KEY] ??= { template: seed(), users: 0 });
  shared.users++;
  let dir: string;
  try {
    dir = await shared.template;
  } catch (e) {
    if (--shared.users === 0) delete store[KEY];
    throw e;
  }
  project.provide('embeddedTemplate', dir);
  return () => {
    if (--shared.users > 0) return;
    delete store[KEY];
    rmSync(dir, { recursive: true, force: true });
  };
}
