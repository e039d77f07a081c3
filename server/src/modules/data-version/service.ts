/**
 * The data version: per-layer counters kept by triggers (migration 0001), and
 * one short string for the whole dataset that changes whenever any layer does.
 */
import { createHash } from 'node:crypto';
import type { Queryable } from '../../db/database.ts';

export interface DataVersions {
  /** e.g. "v412-3f9a1c07": the sum of layer versions and a hash of all of them. */
  overall: string;
  byLayer: Record<string, number>;
}

export async function readDataVersions(db: Queryable): Promise<DataVersions> {
  const rows = await db.query<{ layer: string; version: number }>(
    'SELECT layer, version FROM data_version ORDER BY layer',
  );
  const byLayer = Object.fromEntries(rows.map((r) => [r.layer, r.version]));
  const sum = rows.reduce((s, r) => s + r.version, 0);
  const hash = createHash('sha1')
    .update(rows.map((r) => `${r.layer}:${r.version}`).join(';'))
    .digest('hex')
    .slice(0, 8);
  return { overall: `v${sum}-${hash}`, byLayer };
}
