/**
 * Hand-written SQL lives in .sql files beside the code that runs it. `sqlFile`
 * reads one and fills `{{token}}`s with identifiers from the layer registry —
 * never with anything from a request (those go in as $n parameters).
 */
import { readFileSync } from 'node:fs';

const cache = new Map<string, string>();

export function sqlFile(url: URL, tokens: Record<string, string> = {}): string {
  const key = url.href;
  let text = cache.get(key);
  if (text === undefined) {
    text = readFileSync(url, 'utf8');
    cache.set(key, text);
  }
  return text.replace(/\{\{(\w+)\}\}/g, (_m, name: string) => {
    const value = tokens[name];
    if (value === undefined) throw new Error(`SQL token {{${name}}} has no value in ${url.pathname}`);
    return value;
  });
}

/** A registry identifier safe to splice into SQL: lower-case letters, digits and underscores only. */
export function ident(name: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`not a plain SQL identifier: ${name}`);
  return name;
}

/**
 * What a layer serves, to splice as `FROM {{table}} t`: its table, or the rows its registry
 * entry's `servedWhere` keeps (stock land without its retired parcels), as a subquery the
 * planner flattens (the table's indexes still serve it).
 */
export function servedTable(layer: { table: string; servedWhere?: string }): string {
  return layer.servedWhere ? `(SELECT * FROM ${ident(layer.table)} WHERE ${layer.servedWhere})` : ident(layer.table);
}

/**
 * A layer's attributes as a SELECT list from alias `t`, dates as ISO text (so JSON and
 * vector tiles carry "2024-05-01", not a Date): `t.code, t.detected_on::text AS detected_on`.
 */
export function selectColumns(layer: { attributes: readonly { name: string; type: string }[] }, names: readonly string[]): string {
  const dates = new Set(layer.attributes.filter((a) => a.type === 'date').map((a) => a.name));
  return names.map((n) => (dates.has(ident(n)) ? `t.${n}::text AS ${n}` : `t.${n}`)).join(', ');
}
