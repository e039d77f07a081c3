/**
 * The layer catalog: registry entries joined with what the database holds.
 * Counts and extents are cached until the layer's data version changes.
 */
import { layers, publicLayerInfo, type LayerDefinition } from '../../../../core/layers.ts';
import type { LayerInfo } from '../../../../core/contracts/layers.ts';
import type { Queryable } from '../../db/database.ts';
import { readDataVersions } from '../data-version/service.ts';
import { readLayerStats, type LayerStats } from './repo.ts';

export class LayerCatalog {
  private cache = new Map<string, { version: number; stats: LayerStats }>();

  constructor(private readonly db: Queryable) {}

  async list(): Promise<LayerInfo[]> {
    const versions = await readDataVersions(this.db);
    const out: LayerInfo[] = [];
    for (const layer of layers) {
      const version = versions.byLayer[layer.id] ?? 0;
      const stats = await this.stats(layer, version);
      out.push({ ...publicLayerInfo(layer), ...stats, dataVersion: version });
    }
    return out;
  }

  private async stats(layer: LayerDefinition, version: number): Promise<LayerStats> {
    const hit = this.cache.get(layer.id);
    if (hit && hit.version === version) return hit.stats;
    const stats = await readLayerStats(this.db, layer);
    this.cache.set(layer.id, { version, stats });
    return stats;
  }
}
