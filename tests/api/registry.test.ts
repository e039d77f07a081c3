/**
 * The database agrees with the layer registry: every layer's table carries the data-version
 * trigger made from its entry (and a change bumps that layer's version only), the case
 * overlaps' layer constraint lists the registry's caseOverlap layers, and stock_standing has
 * the overlap column of every layer the standing is computed against.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CASE_OVERLAP_LAYER_IDS, layers } from '../../core/layers.ts';
import type { Database } from '../../server/src/db/database.ts';
import { dataVersionTriggerName, ensureDataVersionTriggers, triggerMatches } from '../../server/src/db/data-version-triggers.ts';
import { backend } from '../helpers/backend.ts';
import { openTestDatabase } from '../helpers/db.ts';
import { withRollback } from '../helpers/rollback.ts';

describe(`the database against the registry (${backend})`, () => {
  let db: Database;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ db, close } = await openTestDatabase());
  });
  afterAll(async () => close?.());

  it('has every layer’s data-version trigger, as the registry makes it, and its version row', async () => {
    const rows = await db.query<{ table: string; name: string; def: string }>(
      `SELECT c.relname AS table, t.tgname AS name, pg_get_triggerdef(t.oid) AS def
         FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid WHERE NOT t.tgisinternal AND t.tgname LIKE '%\\_data\\_version'`,
    );
    for (const l of layers) {
      const row = rows.find((r) => r.table === l.table && r.name === dataVersionTriggerName(l));
      expect(row, `${l.table} has no data-version trigger`).toBeDefined();
      expect(triggerMatches(row!.def, l), row!.def).toBe(true);
      expect(row!.def).toContain(`bump_data_version('${l.id}')`);
    }
    const versions = await db.query<{ layer: string }>('SELECT layer FROM data_version');
    expect(versions.map((v) => v.layer)).toEqual(expect.arrayContaining(layers.map((l) => l.id)));
    // nothing left to make on a migrated database
    expect(await ensureDataVersionTriggers(db)).toEqual([]);
  });

  it('bumps only the changed layer’s version, once a statement', async () => {
    await withRollback(db, async (tx) => {
      const read = async () => Object.fromEntries((await tx.query<{ layer: string; version: number }>('SELECT layer, version FROM data_version')).map((r) => [r.layer, Number(r.version)]));
      const before = await read();
      await tx.query(`UPDATE purple_line SET vintage = vintage`);
      const after = await read();
      expect(after['purple-line']).toBe(before['purple-line']! + 1);
      for (const l of layers) if (l.id !== 'purple-line') expect(after[l.id], l.id).toBe(before[l.id]);
    });
  });

  it('refuses a case overlap on a layer the registry does not list for cases', async () => {
    const [c] = await db.query<{ def: string }>(
      `SELECT pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conname = 'case_overlap_layer_check'`,
    );
    const listed = [...c!.def.matchAll(/'([a-z-]+)'/g)].map((m) => m[1]).sort();
    expect(listed).toEqual([...CASE_OVERLAP_LAYER_IDS].sort());
  });

  it('keeps an overlap column in stock_standing for every layer the standing is computed against', async () => {
    const cols = (await db.query<{ column_name: string }>(`SELECT column_name FROM information_schema.columns WHERE table_name = 'stock_standing'`)).map((r) => r.column_name);
    for (const l of layers.filter((x) => x.stockStanding === 'overlap')) expect(cols, l.id).toContain(`${l.table}_m2`);
  });
});
