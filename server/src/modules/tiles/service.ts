/**
 * Tiles with a cache: encoded tiles are kept in an LRU (by bytes) keyed by
 * layer, data version and z/x/y; when any layer's data version changes the
 * cache is dropped. The version is re-read at most once a second, and at once when
 * PostgreSQL announces a change (`forgetVersions`, from app.changes), so a change made
 * through any instance reaches tiles within a second.
 */
import { LRUCache } from 'lru-cache';
import type { LayerDefinition } from '../../../../core/layers.ts';
import type { Queryable } from '../../db/database.ts';
import { readDataVersions, type DataVersions } from '../data-version/service.ts';
import type { LayerSource, TileResult } from './layer-source.ts';
import { BASEMAP, type BasemapSource } from './basemap-source.ts';

export interface ServedTile extends TileResult {
  /** The encoded tile as a Buffer over the same memory (sent as it is, never copied). */
  body: Buffer;
  etag: string;
  cached: boolean;
}

interface Cached extends TileResult {
  body: Buffer;
}

const asBuffer = (data: Uint8Array): Buffer => (Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength));

export class TileService {
  private readonly cache: LRUCache<string, Cached>;
  private versions: DataVersions | null = null;
  private versionsReadAt = 0;
  private pendingVersions: Promise<DataVersions> | null = null;

  constructor(
    private readonly db: Queryable,
    private readonly source: LayerSource,
    opts: { maxBytes?: number; versionTtlMs?: number; basemap?: BasemapSource } = {},
  ) {
    this.cache = new LRUCache({ maxSize: opts.maxBytes ?? 64 * 1024 * 1024, sizeCalculation: (t) => Math.max(64, t.data.byteLength) });
    this.versionTtlMs = opts.versionTtlMs ?? 1000;
    this.basemapSource = opts.basemap ?? null;
  }
  private readonly basemapSource: BasemapSource | null;
  private readonly versionTtlMs: number;

  /** A data version changed somewhere: the next request reads them again instead of waiting out the second. */
  forgetVersions(): void {
    this.versionsReadAt = 0;
    this.pendingVersions = null;
    this.generation++;
  }
  private generation = 0;

  async dataVersions(): Promise<DataVersions> {
    const now = Date.now();
    if (this.versions && now - this.versionsReadAt < this.versionTtlMs) return this.versions;
    const generation = this.generation;
    const pending = (this.pendingVersions ??= readDataVersions(this.db).finally(() => {
      if (this.pendingVersions === pending) this.pendingVersions = null;
    }));
    const v = await pending;
    if (this.versions && this.versions.overall !== v.overall) this.cache.clear();
    this.versions = v;
    // read before a change was announced: good for this request, not for the next second
    this.versionsReadAt = generation === this.generation ? now : 0;
    return v;
  }

  /**
   * The tile when it is cached and the data versions were read within the last second, without
   * waiting on anything (the hot path of a map being panned); otherwise undefined — ask `tile`.
   */
  cachedTile(id: string, z: number, x: number, y: number): ServedTile | undefined {
    const versions = this.versions;
    if (!versions || Date.now() - this.versionsReadAt >= this.versionTtlMs) return undefined;
    const version = versions.byLayer[id] ?? 0;
    const hit = this.cache.get(`${id}/${version}/${z}/${x}/${y}`);
    if (!hit) return undefined;
    return { data: hit.data, features: hit.features, body: hit.body, etag: `"${id}-v${version}-${z}-${x}-${y}"`, cached: true };
  }

  async tile(layer: LayerDefinition, z: number, x: number, y: number): Promise<ServedTile> {
    const versions = await this.dataVersions();
    const version = versions.byLayer[layer.id] ?? 0;
    const etag = `"${layer.id}-v${version}-${z}-${x}-${y}"`;
    const key = `${layer.id}/${version}/${z}/${x}/${y}`;
    const hit = this.cache.get(key);
    if (hit) return { ...hit, etag, cached: true };
    const built = await this.source.tile(layer, z, x, y);
    const entry = { ...built, body: asBuffer(built.data) };
    this.cache.set(key, entry);
    return { ...entry, etag, cached: false };
  }

  /** A tile of the offline base map (basemap-source.ts), versioned and cached as a layer's. */
  async basemapTile(z: number, x: number, y: number): Promise<ServedTile> {
    if (!this.basemapSource) throw new Error('no base-map source');
    const versions = await this.dataVersions();
    const version = versions.byLayer[BASEMAP] ?? 0;
    const etag = `"${BASEMAP}-v${version}-${z}-${x}-${y}"`;
    const key = `${BASEMAP}/${version}/${z}/${x}/${y}`;
    const hit = this.cache.get(key);
    if (hit) return { ...hit, etag, cached: true };
    const built = await this.basemapSource.tile(z, x, y);
    const entry = { ...built, body: asBuffer(built.data) };
    this.cache.set(key, entry);
    return { ...entry, etag, cached: false };
  }

  /** Number of tiles held (for tests and diagnostics). */
  get cachedTiles(): number {
    return this.cache.size;
  }
}
