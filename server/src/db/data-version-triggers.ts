/**
 * The layers' data-version triggers, made from the registry: every statement that changes a
 * layer's table bumps that layer's row in data_version (tile ETags, caches and the stock
 * catalogue key on it). Statement-level, so a COPY of a million rows costs one bump.
 *
 * `migrate()` runs this after the migrations: a layer added to the registry (and its table to
 * a migration) gets its trigger and its data_version row without a hand-written migration.
 * The function `bump_data_version(layer)` is migration 0001's. `CREATE OR REPLACE TRIGGER`
 * needs PostgreSQL 14 or later (PGlite is 17).
 */
import { layers, type LayerDefinition } from '../../../core/layers.ts';
import type { Queryable } from './database.ts';

/** The trigger's name on a layer's table. */
export const dataVersionTriggerName = (layer: Pick<LayerDefinition, 'table'>) => `${layer.table}_data_version`;

const ident = (name: string) => {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`not a plain SQL identifier: ${name}`);
  return name;
};
const literal = (text: string) => `'${text.replace(/'/g, "''")}'`;

/** The statement creating (or replacing) a layer's trigger. */
export function dataVersionTriggerSql(layer: Pick<LayerDefinition, 'id' | 'table'>): string {
  return (
    `CREATE OR REPLACE TRIGGER ${ident(dataVersionTriggerName(layer))} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON ${ident(layer.table)}\n` +
    `  FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version(${literal(layer.id)})`
  );
}

/** The trigger a layer's table has now, as its definition, or null. */
async function existing(q: Queryable): Promise<Map<string, string>> {
  const rows = await q.query<{ table: string; def: string }>(
    `SELECT c.relname AS table, pg_get_triggerdef(t.oid) AS def
       FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
      WHERE NOT t.tgisinternal AND t.tgname = c.relname || '_data_version'`,
  );
  return new Map(rows.map((r) => [r.table, r.def]));
}

/** Whether a trigger definition (pg_get_triggerdef) is the one the registry asks for. */
export function triggerMatches(def: string | undefined, layer: Pick<LayerDefinition, 'id' | 'table'>): boolean {
  if (!def) return false;
  return (
    /AFTER INSERT OR DELETE OR UPDATE OR TRUNCATE/.test(def) &&
    /FOR EACH STATEMENT/.test(def) &&
    new RegExp(`ON (\\w+\\.)?${layer.table} `).test(def) &&
    def.includes(`bump_data_version(${literal(layer.id)})`)
  );
}

/**
 * Creates the trigger of every registry layer that lacks it (or has another) and its
 * data_version row; answers the layers it changed. Cheap when nothing is missing.
 */
export async function ensureDataVersionTriggers(q: Queryable): Promise<string[]> {
  const have = await existing(q);
  const changed: string[] = [];
  for (const layer of layers) {
    if (triggerMatches(have.get(layer.table), layer)) continue;
    await q.query(dataVersionTriggerSql(layer));
    changed.push(layer.id);
  }
  await q.query(
    `INSERT INTO data_version (layer, version) SELECT unnest($1::text[]), 0 ON CONFLICT (layer) DO NOTHING`,
    [layers.map((l) => l.id)],
  );
  return changed;
}
