/**
 * Opens the seeded test database for one test file. On the embedded backend
 * each file gets its own copy of the seeded template, so files never share
 * state; on PostGIS they share the one seeded database and must leave it as
 * they found it (tests that write do so in rolled-back transactions).
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import { openEmbedded, openPostgis, type Database } from '../../server/src/db/database.ts';
import { loadDataset } from '../../server/src/seed/load.ts';
import { TEST_SEED, testDatabaseUrl } from './backend.ts';

export async function openTestDatabase(): Promise<{ db: Database; close: () => Promise<void> }> {
  if (testDatabaseUrl) {
    const db = await openPostgis(testDatabaseUrl);
    return { db, close: () => db.close() };
  }
  return openEmbeddedCopy();
}

/** A private copy of the seeded embedded database, whatever backend the suite runs on. */
export async function openEmbeddedCopy(): Promise<{ db: Database; close: () => Promise<void> }> {
  const template = inject('embeddedTemplate');
  const dir = mkdtempSync(join(tmpdir(), 'yzt-db-'));
  cpSync(template, dir, { recursive: true });
  const db = await openEmbedded(dir);
  return {
    db,
    close: async () => {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A seeded database of the suite's backend that no other test file sees, for tests that
 * leave lasting traces (a case decision's history cannot be deleted): the embedded copy, or
 * on PostGIS a new database with the demo dataset (about 8 s), dropped at close.
 */
export async function openPrivateDatabase(): Promise<{ db: Database; close: () => Promise<void> }> {
  if (!testDatabaseUrl) return openEmbeddedCopy();
  const t = await openEmptyDatabase();
  try {
    await t.db.migrate();
    await loadDataset(t.db, { scale: 'demo', seed: TEST_SEED });
  } catch (e) {
    await t.close();
    throw e;
  }
  return t;
}

/** A brand-new, empty database on the suite's backend (for migration tests). */
export async function openEmptyDatabase(): Promise<{ db: Database; close: () => Promise<void> }> {
  if (testDatabaseUrl) {
    const admin = await openPostgis(testDatabaseUrl);
    const name = `yzt_empty_${process.pid}_${Date.now()}`;
    await admin.query(`CREATE DATABASE ${name}`);
    const url = new URL(testDatabaseUrl);
    url.pathname = `/${name}`;
    const db = await openPostgis(url.toString());
    return {
      db,
      close: async () => {
        await db.close();
        await admin.query(`DROP DATABASE IF EXISTS ${name}`);
        await admin.close();
      },
    };
  }
  const dir = mkdtempSync(join(tmpdir(), 'yzt-empty-'));
  const db = await openEmbedded(dir);
  return {
    db,
    close: async () => {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
